CREATE TABLE "audit_event_outbox" (
	"tenant_id" uuid NOT NULL,
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"action" "audit_action" NOT NULL,
	"table_name" text NOT NULL,
	"record_id" uuid,
	"details" jsonb,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "audit_event_outbox_pkey" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
ALTER TABLE "audit_event_outbox" ADD CONSTRAINT "audit_event_outbox_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;
--> statement-breakpoint
-- A compromised request stays inside its own tenant and its own transaction (docs/decisions/009).
--
-- 1. The request context is signed. The server signs "role, tenant, user, impersonator, ip, user agent, request id,
--    issued at" with HMAC-SHA256 under a key kept in haven_context_keys, which only haven_owner can read. Policies,
--    audit triggers, domain events and the throttle read the context only through haven_context(), which verifies
--    the signature; a forged set_config/SET LOCAL, a bare SET ROLE or another tenant's replayed signature see and
--    write nothing.
-- 2. Policies call a function instead of a sub-select (Citus refuses sub-selects in policies). Queries also name
--    their tenant, so the planner folds `tenant_id = $1 AND tenant_id = haven_tenant_id()` into a one-time check.
-- 3. No temporary objects; SECURITY DEFINER functions pin search_path with pg_temp last and qualify their tables.
-- 4. haven_set_context cleans the session first (settings, role, advisory locks) and refuses a connection that
--    holds SQL-level prepared statements (the scope then discards that connection).
DO $$
BEGIN
  EXECUTE format('REVOKE TEMPORARY ON DATABASE %I FROM PUBLIC', current_database());
END
$$;
--> statement-breakpoint
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
--> statement-breakpoint
-- Functions through which one request could reach beyond itself although they touch no table: advisory locks (a
-- request of one tenant could hold another tenant's lock key, or the migration and audit-seal locks), signalling
-- other backends of the same login (other tenants' requests), and large objects (shared by every request of the
-- login role). Only the owner keeps them. Revoking needs a superuser migrator; the schema guard checks it.
DO $$
DECLARE
  f text;
BEGIN
  FOREACH f IN ARRAY ARRAY['pg_advisory_lock(bigint)', 'pg_advisory_lock(integer, integer)',
    'pg_advisory_lock_shared(bigint)', 'pg_advisory_lock_shared(integer, integer)',
    'pg_try_advisory_lock(bigint)', 'pg_try_advisory_lock(integer, integer)',
    'pg_try_advisory_lock_shared(bigint)', 'pg_try_advisory_lock_shared(integer, integer)',
    'pg_advisory_xact_lock(bigint)', 'pg_advisory_xact_lock(integer, integer)',
    'pg_advisory_xact_lock_shared(bigint)', 'pg_advisory_xact_lock_shared(integer, integer)',
    'pg_try_advisory_xact_lock(bigint)', 'pg_try_advisory_xact_lock(integer, integer)',
    'pg_try_advisory_xact_lock_shared(bigint)', 'pg_try_advisory_xact_lock_shared(integer, integer)',
    'pg_terminate_backend(integer, bigint)', 'pg_cancel_backend(integer)',
    'lo_create(oid)', 'lo_creat(integer)', 'lo_from_bytea(oid, bytea)', 'lo_import(text)', 'lo_import(text, oid)'] LOOP
    EXECUTE format('REVOKE EXECUTE ON FUNCTION pg_catalog.%s FROM PUBLIC', f);
    EXECUTE format('GRANT EXECUTE ON FUNCTION pg_catalog.%s TO haven_owner', f);
  END LOOP;
EXCEPTION WHEN insufficient_privilege THEN
  RAISE WARNING 'haven: could not revoke lock, signal and large-object functions from PUBLIC (migrate as a superuser once)';
END
$$;
--> statement-breakpoint
-- Workspace settings the audit retention job reads are checked here, not only in the UI: a request must not be able to
-- set a retention that deletes its own recent history (or one that fails the job for everyone).
ALTER TABLE tenants ADD CONSTRAINT tenants_audit_retention_check CHECK (
  NOT (settings ? 'auditRetentionDays') OR settings -> 'auditRetentionDays' = 'null'::jsonb
  OR settings -> 'auditRetentionDays' IN ('30'::jsonb, '90'::jsonb, '365'::jsonb));
--> statement-breakpoint
ALTER TABLE tenants ADD CONSTRAINT tenants_audit_legal_hold_check CHECK (
  NOT (settings ? 'auditLegalHold') OR jsonb_typeof(settings -> 'auditLegalHold') = 'boolean');
--> statement-breakpoint
CREATE TABLE IF NOT EXISTS haven_context_keys (
  id smallint PRIMARY KEY,
  k_ipad bytea NOT NULL CHECK (length(k_ipad) = 64),
  k_opad bytea NOT NULL CHECK (length(k_opad) = 64),
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
--> statement-breakpoint
REVOKE ALL ON haven_context_keys FROM PUBLIC;
--> statement-breakpoint
CREATE TRIGGER set_updated_at BEFORE UPDATE ON haven_context_keys FOR EACH ROW EXECUTE FUNCTION haven_set_updated_at();
--> statement-breakpoint
-- Installs the signing key (the server derives it from its secret and calls this as the owner at start-up). The
-- inner and outer HMAC pads are stored so that verification is two sha256() calls.
CREATE OR REPLACE FUNCTION haven_install_context_key(p_key bytea) RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, public, pg_temp
AS $$
DECLARE
  v_key bytea := p_key;
  v_ipad bytea;
  v_opad bytea;
  i int;
BEGIN
  IF length(v_key) < 32 OR length(v_key) > 64 THEN
    RAISE EXCEPTION 'context key must be 32 to 64 bytes' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  v_key := v_key || decode(repeat('00', 64 - length(v_key)), 'hex');
  v_ipad := v_key;
  v_opad := v_key;
  FOR i IN 0..63 LOOP
    v_ipad := set_byte(v_ipad, i, get_byte(v_key, i) # 54);
    v_opad := set_byte(v_opad, i, get_byte(v_key, i) # 92);
  END LOOP;
  INSERT INTO public.haven_context_keys (id, k_ipad, k_opad) VALUES (1, v_ipad, v_opad)
  ON CONFLICT (id) DO UPDATE SET k_ipad = excluded.k_ipad, k_opad = excluded.k_opad
  WHERE haven_context_keys.k_ipad IS DISTINCT FROM excluded.k_ipad;
END
$$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION haven_install_context_key(bytea) FROM PUBLIC;
--> statement-breakpoint
-- The verified context as text[]: {role, tenant, user, impersonator, ip, user agent, request id}, or NULL when no
-- context is set or its signature does not verify. Fields are separated by U+001F (the server strips control
-- characters from every field). A context older than one hour is refused, so a leaked signature does not live on.
CREATE OR REPLACE FUNCTION haven_context() RETURNS text[]
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp
AS $$
DECLARE
  v_ctx text := current_setting('app.context', true);
  v_sig text := current_setting('app.context_sig', true);
  v_fields text[];
  v_ipad bytea;
  v_opad bytea;
BEGIN
  IF v_ctx IS NULL OR v_ctx = '' OR v_sig IS NULL OR v_sig = '' THEN
    RETURN NULL;
  END IF;
  SELECT k.k_ipad, k.k_opad INTO v_ipad, v_opad FROM public.haven_context_keys k WHERE k.id = 1;
  IF v_ipad IS NULL
     OR encode(sha256(v_opad || sha256(v_ipad || convert_to(v_ctx, 'UTF8'))), 'hex') <> v_sig THEN
    RETURN NULL;
  END IF;
  v_fields := string_to_array(v_ctx, chr(31));
  IF array_length(v_fields, 1) <> 9 OR v_fields[1] <> 'v1'
     OR abs(extract(epoch FROM statement_timestamp()) - v_fields[9]::double precision) > 3600 THEN
    RETURN NULL;
  END IF;
  RETURN v_fields[2:8];
END
$$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION haven_context() FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION haven_context() TO haven_app, haven_tenant, haven_console;
--> statement-breakpoint
-- The tenant of a verified haven_tenant context, else NULL (no rows, no writes).
CREATE OR REPLACE FUNCTION haven_tenant_id() RETURNS uuid
LANGUAGE plpgsql
STABLE
SET search_path = pg_catalog, public, pg_temp
AS $$
DECLARE
  v text[] := public.haven_context();
BEGIN
  IF v[1] = 'haven_tenant' AND v[2] <> '' THEN
    RETURN v[2]::uuid;
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
-- True only in a verified haven_console context.
CREATE OR REPLACE FUNCTION haven_is_console() RETURNS boolean
LANGUAGE plpgsql
STABLE
SET search_path = pg_catalog, public, pg_temp
AS $$
BEGIN
  RETURN coalesce((public.haven_context())[1] = 'haven_console', false);
END
$$;
--> statement-breakpoint
-- The tenant a verified context concerns (the tenant scope's tenant, or the tenant a console action is about).
CREATE OR REPLACE FUNCTION haven_context_tenant() RETURNS uuid
LANGUAGE plpgsql
STABLE
SET search_path = pg_catalog, public, pg_temp
AS $$
DECLARE
  v text[] := public.haven_context();
BEGIN
  RETURN nullif(v[2], '')::uuid;
END
$$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION haven_tenant_id(), haven_is_console(), haven_context_tenant() FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION haven_tenant_id(), haven_is_console(), haven_context_tenant() TO haven_app, haven_tenant, haven_console;
--> statement-breakpoint
DROP FUNCTION IF EXISTS haven_set_context(text, text, text, text, text, text, text);
--> statement-breakpoint
-- The first statement of every request transaction. It starts from a clean session whatever an earlier request on
-- this connection did: RESET ALL drops session-level settings (search_path, timeouts, row_security, app.*), RESET
-- ROLE a session-level SET ROLE; held cursors, listeners, session advisory locks and SQL-level prepared statements
-- are released. Then the signed context is set transaction-locally and the role entered. It answers false when this
-- transaction itself was begun under a leftover read-only or serializable default.
-- Not SECURITY DEFINER (SET ROLE needs the caller) and no SET clause (RESET ALL must outlive the call); every name
-- is qualified instead.
CREATE OR REPLACE FUNCTION haven_reset_session() RETURNS void
LANGUAGE plpgsql
AS $$
BEGIN
  EXECUTE 'RESET ALL';
  EXECUTE 'RESET ROLE';
  -- RESET ALL returns to the login role's defaults, which that role may set for itself (ALTER ROLE … SET): the
  -- settings Haven's requests rely on are set explicitly rather than trusted.
  EXECUTE 'SET search_path = "$user", public';
  EXECUTE 'SET row_security = on';
  EXECUTE 'SET statement_timeout = 0';
  EXECUTE 'SET lock_timeout = 0';
  EXECUTE 'SET idle_in_transaction_session_timeout = 0';
  EXECUTE 'SET default_transaction_read_only = off';
  EXECUTE 'SET default_transaction_isolation = ''read committed''';
  EXECUTE 'SET client_encoding = ''UTF8''';
  EXECUTE 'SET DateStyle = ''ISO, MDY''';
  EXECUTE 'SET IntervalStyle = ''postgres''';
  EXECUTE 'SET TimeZone = ''UTC''';
  EXECUTE 'SET bytea_output = ''hex''';
  EXECUTE 'CLOSE ALL';
  EXECUTE 'UNLISTEN *';
  PERFORM pg_catalog.pg_advisory_unlock_all();
END
$$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION haven_reset_session() FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION haven_reset_session() TO haven_app, haven_tenant, haven_console;
--> statement-breakpoint
-- With p_reset false the caller has just run haven_reset_session() as a separate statement of this transaction
-- (the server does, so that a statement_timeout or client_encoding left behind cannot break this statement).
CREATE OR REPLACE FUNCTION haven_set_context(p_context text, p_sig text, p_reset boolean DEFAULT true) RETURNS boolean
LANGUAGE plpgsql
AS $$
DECLARE
  v text[];
  v_name text;
BEGIN
  IF p_reset THEN
    PERFORM public.haven_reset_session();
  END IF;
  -- Statements prepared by SQL (not by the driver's protocol messages) are an earlier request's: drop them, so none
  -- can stand in for a driver statement of the same name in a later request.
  FOR v_name IN SELECT name FROM pg_catalog.pg_prepared_statements WHERE from_sql LOOP
    EXECUTE pg_catalog.format('DEALLOCATE %I', v_name);
  END LOOP;
  PERFORM pg_catalog.set_config('app.context', p_context, true);
  PERFORM pg_catalog.set_config('app.context_sig', p_sig, true);
  v := public.haven_context();
  IF v IS NULL THEN
    RAISE EXCEPTION 'haven_set_context: the context signature does not verify' USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF v[1] NOT IN ('haven_tenant', 'haven_console', 'haven_app') THEN
    RAISE EXCEPTION 'haven_set_context: role % is not a request role', v[1] USING ERRCODE = 'invalid_parameter_value';
  END IF;
  -- A read-only or serializable default left by an earlier request already applies to this transaction and can no
  -- longer be changed in it: answer false, and the scope commits (keeping the reset) and starts again.
  IF pg_catalog.current_setting('transaction_read_only') = 'on'
     OR pg_catalog.current_setting('transaction_isolation') <> 'read committed' THEN
    RETURN false;
  END IF;
  EXECUTE pg_catalog.format('SET LOCAL ROLE %I', v[1]);
  RETURN true;
END
$$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION haven_set_context(text, text, boolean) FROM PUBLIC;
--> statement-breakpoint
-- haven_tenant and haven_console may call it too: after a stray session-level SET ROLE the next request's first
-- statement runs as that role and must still be able to clean up.
GRANT EXECUTE ON FUNCTION haven_set_context(text, text, boolean) TO haven_app, haven_tenant, haven_console;
--> statement-breakpoint
DROP FUNCTION IF EXISTS haven_set_actor(text, text);
--> statement-breakpoint
-- Replaces the context within the same role and tenant (the actor is known once the session has been read).
CREATE OR REPLACE FUNCTION haven_set_actor(p_context text, p_sig text) RETURNS void
LANGUAGE plpgsql
AS $$
DECLARE
  v_old text[] := public.haven_context();
  v_new text[];
BEGIN
  PERFORM pg_catalog.set_config('app.context', p_context, true);
  PERFORM pg_catalog.set_config('app.context_sig', p_sig, true);
  v_new := public.haven_context();
  IF v_old IS NULL OR v_new IS NULL OR v_new[1] IS DISTINCT FROM v_old[1] OR v_new[2] IS DISTINCT FROM v_old[2] THEN
    RAISE EXCEPTION 'haven_set_actor: the new context does not verify for this scope' USING ERRCODE = 'insufficient_privilege';
  END IF;
END
$$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION haven_set_actor(text, text) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION haven_set_actor(text, text) TO haven_tenant, haven_console;
--> statement-breakpoint
-- Whether the session's login is the schema owner or a superuser: the only sessions that may write without a context.
CREATE OR REPLACE FUNCTION haven_is_operator() RETURNS boolean
LANGUAGE sql
STABLE
SET search_path = pg_catalog, public, pg_temp
AS $$
  SELECT r.rolsuper OR pg_has_role(session_user, 'haven_owner', 'MEMBER') FROM pg_roles r WHERE r.rolname = session_user
$$;
--> statement-breakpoint
-- Row audit: the actor and request come from the verified context. A runtime role cannot write without one (the
-- policies check it), so a missing context means the owner or a superuser wrote (migrations, operators).
CREATE OR REPLACE FUNCTION haven_audit_row() RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp
AS $$
DECLARE
  v_old jsonb;
  v_new jsonb;
  v_row jsonb;
  v_col text;
  v_tenant uuid;
  v_ctx text[] := public.haven_context();
BEGIN
  -- No verified context is only acceptable from the owner or a superuser (migrations, operators). A runtime login
  -- always has one, and one it cleared or forged in mid-statement must not turn its change into an anonymous one.
  IF v_ctx IS NULL AND NOT public.haven_is_operator() THEN
    RAISE EXCEPTION 'haven_audit_row: the request context does not verify' USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF TG_OP <> 'INSERT' THEN v_old := to_jsonb(OLD); END IF;
  IF TG_OP <> 'DELETE' THEN v_new := to_jsonb(NEW); END IF;
  v_row := coalesce(v_new, v_old);
  v_tenant := (v_row ->> TG_ARGV[1])::uuid;
  IF TG_OP = 'DELETE' AND v_tenant::text = current_setting('app.purging_tenant', true)
     AND NOT EXISTS (SELECT 1 FROM public.tenants WHERE id = v_tenant) THEN
    RETURN NULL;
  END IF;
  IF TG_ARGV[2] <> '' THEN
    FOREACH v_col IN ARRAY string_to_array(TG_ARGV[2], ',') LOOP
      IF v_old ? v_col AND v_old ->> v_col IS NOT NULL THEN v_old := jsonb_set(v_old, ARRAY[v_col], '"[redacted]"'); END IF;
      IF v_new ? v_col AND v_new ->> v_col IS NOT NULL THEN v_new := jsonb_set(v_new, ARRAY[v_col], '"[redacted]"'); END IF;
    END LOOP;
  END IF;
  INSERT INTO public.audit_log (tenant_id, table_name, record_id, action, old_values, new_values,
                                user_id, impersonator_id, ip_address, user_agent, request_id)
  VALUES (
    v_tenant,
    TG_ARGV[0],
    (v_row ->> 'id')::uuid,
    (CASE TG_OP WHEN 'INSERT' THEN 'CREATE' WHEN 'UPDATE' THEN 'UPDATE' ELSE 'DELETE' END)::public.audit_action,
    v_old,
    v_new,
    nullif(v_ctx[3], '')::uuid,
    nullif(v_ctx[4], '')::uuid,
    nullif(v_ctx[5], ''),
    nullif(v_ctx[6], ''),
    nullif(v_ctx[7], '')
  );
  RETURN NULL;
END
$$;
--> statement-breakpoint
-- Domain events go through an insert-only table co-located with the tenant's rows; its BEFORE trigger writes the
-- audit row from the verified context and drops the outbox row. (On Citus a SECURITY DEFINER function cannot touch
-- shards the request already wrote as another role; a trigger on the shard can.)
ALTER TABLE audit_event_outbox ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE audit_event_outbox FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION haven_audit_outbox() RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp
AS $$
DECLARE
  v_ctx text[] := public.haven_context();
BEGIN
  IF v_ctx IS NULL THEN
    RAISE EXCEPTION 'haven_audit_event: no verified request context' USING ERRCODE = 'insufficient_privilege';
  END IF;
  -- RLS checks an inserted row only after BEFORE triggers, and this one keeps no row: check the tenant here.
  IF v_ctx[1] <> 'haven_console' AND NEW.tenant_id IS DISTINCT FROM nullif(v_ctx[2], '')::uuid THEN
    RAISE EXCEPTION 'haven_audit_event: the event belongs to another tenant' USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF NEW.action IN ('CREATE', 'UPDATE', 'DELETE') THEN
    RAISE EXCEPTION 'haven_audit_event: row changes are recorded by triggers' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  -- Retention checkpoints anchor chain verification: only the owner's retention job writes them.
  IF NEW.action::text = 'RETENTION' THEN
    RAISE EXCEPTION 'haven_audit_event: % events are written by the system only', NEW.action USING ERRCODE = 'insufficient_privilege';
  END IF;
  INSERT INTO public.audit_log (tenant_id, table_name, record_id, action, new_values,
                                user_id, impersonator_id, ip_address, user_agent, request_id)
  VALUES (NEW.tenant_id, NEW.table_name, NEW.record_id, NEW.action, NEW.details,
          nullif(v_ctx[3], '')::uuid, nullif(v_ctx[4], '')::uuid,
          nullif(v_ctx[5], ''), nullif(v_ctx[6], ''), nullif(v_ctx[7], ''));
  RETURN NULL;
END
$$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION haven_audit_outbox() FROM PUBLIC;
--> statement-breakpoint
CREATE TRIGGER write_audit_event BEFORE INSERT ON audit_event_outbox FOR EACH ROW EXECUTE FUNCTION haven_audit_outbox();
--> statement-breakpoint
CREATE TRIGGER set_updated_at BEFORE UPDATE ON audit_event_outbox FOR EACH ROW EXECUTE FUNCTION haven_set_updated_at();
--> statement-breakpoint
CREATE POLICY tenant_isolation ON audit_event_outbox AS PERMISSIVE FOR ALL TO haven_tenant
  USING (tenant_id = public.haven_tenant_id()) WITH CHECK (tenant_id = public.haven_tenant_id());
--> statement-breakpoint
CREATE POLICY console_access ON audit_event_outbox AS PERMISSIVE FOR ALL TO haven_console
  USING (public.haven_is_console()) WITH CHECK (public.haven_is_console());
--> statement-breakpoint
GRANT SELECT, INSERT ON audit_event_outbox TO haven_tenant, haven_console;
--> statement-breakpoint
DROP FUNCTION IF EXISTS haven_audit_event(audit_action, text, uuid, jsonb);
--> statement-breakpoint
-- Domain events (sign-in, impersonation, export…) for the verified context's tenant, attributed to its actor.
CREATE OR REPLACE FUNCTION haven_audit_event(p_action audit_action, p_table text, p_record_id uuid, p_details jsonb)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, public, pg_temp
AS $$
DECLARE
  v_tenant uuid := public.haven_context_tenant();
BEGIN
  IF v_tenant IS NULL THEN
    RAISE EXCEPTION 'haven_audit_event: no tenant in context' USING ERRCODE = 'insufficient_privilege';
  END IF;
  INSERT INTO public.audit_event_outbox (tenant_id, action, table_name, record_id, details)
  VALUES (v_tenant, p_action, p_table, p_record_id, p_details);
END
$$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION haven_audit_event(audit_action, text, uuid, jsonb) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION haven_audit_event(audit_action, text, uuid, jsonb) TO haven_tenant, haven_console;
--> statement-breakpoint
-- Throttle buckets come from the verified context: a key a caller passes is prefixed with the context's tenant, and
-- a per-address key ('@ip:<purpose>') is completed with the context's client address. So no request can fill or
-- clear another tenant's account buckets, or an address other than its own.
DROP FUNCTION IF EXISTS haven_rate_limit_retry_after(text[], int[], int);
--> statement-breakpoint
DROP FUNCTION IF EXISTS haven_rate_limit_hit(text[], int);
--> statement-breakpoint
CREATE OR REPLACE FUNCTION haven_rate_limit_key(p_key text) RETURNS text
LANGUAGE plpgsql
STABLE
SET search_path = pg_catalog, public, pg_temp
AS $$
DECLARE
  v text[] := public.haven_context();
BEGIN
  IF v IS NULL OR coalesce(v[2], '') = '' THEN
    RAISE EXCEPTION 'haven_rate_limit: no tenant in context' USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF starts_with(p_key, '@ip:') THEN
    RETURN encode(sha256(convert_to('ip:' || substr(p_key, 5) || ':' || coalesce(nullif(v[5], ''), 'unknown'), 'UTF8')), 'hex');
  END IF;
  RETURN encode(sha256(convert_to(v[2] || ':' || p_key, 'UTF8')), 'hex');
END
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION haven_rate_limit_take(p_keys text[], p_limits int[], p_window_seconds int)
RETURNS int
LANGUAGE sql
SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp
AS $$
  WITH wanted AS (
    SELECT public.haven_rate_limit_key(k.key) AS key, k.max_count FROM unnest(p_keys, p_limits) AS k(key, max_count)
  ), taken AS (
    INSERT INTO public.auth_rate_limits AS r (key, window_start, count)
    SELECT w.key, now(), 1 FROM wanted w
    ON CONFLICT (key) DO UPDATE SET
      count = CASE WHEN r.window_start > now() - make_interval(secs => p_window_seconds) THEN r.count + 1 ELSE 1 END,
      window_start = CASE WHEN r.window_start > now() - make_interval(secs => p_window_seconds) THEN r.window_start ELSE now() END
    RETURNING r.key, r.count, r.window_start
  )
  SELECT coalesce(max(ceil(extract(epoch FROM (t.window_start + make_interval(secs => p_window_seconds) - now()))))::int, 0)
  FROM taken t JOIN wanted w ON w.key = t.key
  WHERE t.count > w.max_count
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION haven_rate_limit_release(p_key text)
RETURNS void
LANGUAGE sql
SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp
AS $$
  UPDATE public.auth_rate_limits SET count = greatest(count - 1, 0) WHERE key = public.haven_rate_limit_key(p_key)
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION haven_rate_limit_clear(p_key text)
RETURNS void
LANGUAGE sql
SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp
AS $$
  DELETE FROM public.auth_rate_limits WHERE key = public.haven_rate_limit_key(p_key)
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION haven_rate_limit_prune() RETURNS void
LANGUAGE sql
SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp
AS $$
  DELETE FROM public.auth_rate_limits WHERE window_start < now() - interval '1 day'
$$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION haven_rate_limit_key(text), haven_rate_limit_take(text[], int[], int), haven_rate_limit_release(text),
  haven_rate_limit_clear(text), haven_rate_limit_prune() FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION haven_rate_limit_key(text), haven_rate_limit_take(text[], int[], int), haven_rate_limit_release(text),
  haven_rate_limit_clear(text), haven_rate_limit_prune() TO haven_tenant, haven_console;
--> statement-breakpoint
-- Moves were serialized with an advisory lock, which a request of another tenant could take too; a row lock on the
-- tenant's own row cannot be taken from outside the tenant.
CREATE OR REPLACE FUNCTION haven_categories_set_path() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, public, pg_temp
AS $$
DECLARE
  v_parent_path ltree;
  v_label ltree := text2ltree(replace(NEW.id::text, '-', ''));
BEGIN
  IF TG_OP = 'UPDATE' THEN
    -- The tenant's own row, locked FOR NO KEY UPDATE: it serializes this tenant's moves, does not block foreign-key
    -- checks (FOR KEY SHARE), and no other tenant can hold it (RLS hides the row).
    PERFORM 1 FROM public.tenants WHERE id = NEW.tenant_id FOR NO KEY UPDATE;
  END IF;
  IF NEW.parent_id IS NULL THEN
    NEW.path := v_label;
  ELSE
    SELECT path INTO v_parent_path FROM public.categories WHERE tenant_id = NEW.tenant_id AND id = NEW.parent_id;
    IF v_parent_path IS NULL THEN
      RAISE EXCEPTION 'parent category % does not exist', NEW.parent_id USING ERRCODE = 'foreign_key_violation';
    END IF;
    IF TG_OP = 'UPDATE' AND v_parent_path <@ OLD.path THEN
      RAISE EXCEPTION 'a category cannot be moved into itself or its own subtree' USING ERRCODE = 'check_violation';
    END IF;
    NEW.path := v_parent_path || v_label;
  END IF;
  NEW.depth := nlevel(NEW.path) - 1;
  IF TG_OP = 'UPDATE' AND NEW.path IS DISTINCT FROM OLD.path THEN
    IF current_setting('haven.category_move_pending', true) = 'on' THEN
      RAISE EXCEPTION 'only one category can be moved per statement' USING ERRCODE = 'check_violation';
    END IF;
    PERFORM set_config('haven.category_move_pending', 'on', true);
  END IF;
  RETURN NEW;
END
$$;
--> statement-breakpoint
-- Invoker trigger functions get the same pinned path.
ALTER FUNCTION haven_categories_move_subtree() SET search_path = pg_catalog, public, pg_temp;
--> statement-breakpoint
ALTER FUNCTION haven_categories_protect_path() SET search_path = pg_catalog, public, pg_temp;
--> statement-breakpoint
ALTER FUNCTION haven_set_updated_at() SET search_path = pg_catalog, public, pg_temp;
--> statement-breakpoint
-- Policies: the verified tenant through a function, no sub-select.
CREATE OR REPLACE FUNCTION haven_secure_table(p_table text, p_redact text DEFAULT '') RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, public, pg_temp
AS $$
BEGIN
  EXECUTE format('ALTER TABLE public.%I ENABLE ROW LEVEL SECURITY', p_table);
  EXECUTE format('ALTER TABLE public.%I FORCE ROW LEVEL SECURITY', p_table);
  EXECUTE format('DROP POLICY IF EXISTS tenant_isolation ON public.%I', p_table);
  EXECUTE format($p$CREATE POLICY tenant_isolation ON public.%I AS PERMISSIVE FOR ALL TO haven_tenant
    USING (tenant_id = public.haven_tenant_id()) WITH CHECK (tenant_id = public.haven_tenant_id())$p$, p_table);
  EXECUTE format('DROP POLICY IF EXISTS console_access ON public.%I', p_table);
  EXECUTE format($p$CREATE POLICY console_access ON public.%I AS PERMISSIVE FOR ALL TO haven_console
    USING (public.haven_is_console()) WITH CHECK (public.haven_is_console())$p$, p_table);
  EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON public.%I TO haven_tenant, haven_console', p_table);
  EXECUTE format('DROP TRIGGER IF EXISTS set_updated_at ON public.%I', p_table);
  EXECUTE format('CREATE TRIGGER set_updated_at BEFORE UPDATE ON public.%I FOR EACH ROW EXECUTE FUNCTION haven_set_updated_at()', p_table);
  EXECUTE format('DROP TRIGGER IF EXISTS audit_row ON public.%I', p_table);
  EXECUTE format('CREATE TRIGGER audit_row AFTER INSERT OR UPDATE OR DELETE ON public.%I FOR EACH ROW EXECUTE FUNCTION haven_audit_row(%L, %L, %L)',
    p_table, p_table, 'tenant_id', p_redact);
END
$$;
--> statement-breakpoint
SELECT haven_secure_table('users');
--> statement-breakpoint
SELECT haven_secure_table('sessions', 'token');
--> statement-breakpoint
SELECT haven_secure_table('accounts', 'password,access_token,refresh_token,id_token');
--> statement-breakpoint
SELECT haven_secure_table('verifications', 'value,identifier');
--> statement-breakpoint
SELECT haven_secure_table('organizations');
--> statement-breakpoint
SELECT haven_secure_table('teams');
--> statement-breakpoint
SELECT haven_secure_table('user_team_links');
--> statement-breakpoint
SELECT haven_secure_table('roles');
--> statement-breakpoint
SELECT haven_secure_table('role_permissions');
--> statement-breakpoint
SELECT haven_secure_table('user_roles');
--> statement-breakpoint
SELECT haven_secure_table('categories');
--> statement-breakpoint
SELECT haven_secure_table('invitations', 'token_hash');
--> statement-breakpoint
ALTER POLICY tenant_isolation ON audit_log USING (tenant_id = public.haven_tenant_id());
--> statement-breakpoint
ALTER POLICY console_access ON audit_log USING (public.haven_is_console());
--> statement-breakpoint
ALTER POLICY tenant_isolation ON tenants USING (id = public.haven_tenant_id()) WITH CHECK (id = public.haven_tenant_id());
--> statement-breakpoint
ALTER POLICY console_access ON tenants USING (public.haven_is_console()) WITH CHECK (public.haven_is_console());
--> statement-breakpoint
SELECT haven_assign_ownership();
