-- Roles, extensions and the functions every later migration relies on.
-- Roles are cluster-wide, so they are created only when missing (several databases may share a server).
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'haven_owner') THEN
    CREATE ROLE haven_owner NOLOGIN NOSUPERUSER NOBYPASSRLS;
  END IF;
  -- The runtime login role: owns nothing, cannot bypass RLS, and NOINHERIT so that it holds none of the
  -- privileges of the roles it may enter; it must SET ROLE to haven_tenant or haven_console to touch data.
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'haven_app') THEN
    CREATE ROLE haven_app LOGIN NOINHERIT NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'haven_tenant') THEN
    CREATE ROLE haven_tenant NOLOGIN NOSUPERUSER NOBYPASSRLS;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'haven_console') THEN
    CREATE ROLE haven_console NOLOGIN NOSUPERUSER NOBYPASSRLS;
  END IF;
END
$$;
--> statement-breakpoint
GRANT haven_tenant TO haven_app;
--> statement-breakpoint
GRANT haven_console TO haven_app;
--> statement-breakpoint
CREATE EXTENSION IF NOT EXISTS ltree;
--> statement-breakpoint
CREATE EXTENSION IF NOT EXISTS pg_trgm;
--> statement-breakpoint
GRANT USAGE ON SCHEMA public TO haven_app, haven_tenant, haven_console;
--> statement-breakpoint
-- The request context, set in one call with bound parameters, transaction-locally. SET LOCAL through EXECUTE
-- (rather than set_config) is the form Citus forwards to its workers.
CREATE OR REPLACE FUNCTION haven_set_context(
  p_role text,
  p_tenant_id text,
  p_user_id text,
  p_impersonator_id text,
  p_ip text,
  p_user_agent text,
  p_request_id text
) RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, public
AS $$
BEGIN
  IF p_role NOT IN ('haven_tenant', 'haven_console', 'haven_app') THEN
    RAISE EXCEPTION 'haven_set_context: role % is not a request role', p_role USING ERRCODE = 'invalid_parameter_value';
  END IF;
  EXECUTE format('SET LOCAL app.tenant_id = %L', coalesce(p_tenant_id, ''));
  EXECUTE format('SET LOCAL app.user_id = %L', coalesce(p_user_id, ''));
  EXECUTE format('SET LOCAL app.impersonator_id = %L', coalesce(p_impersonator_id, ''));
  EXECUTE format('SET LOCAL app.ip = %L', coalesce(p_ip, ''));
  EXECUTE format('SET LOCAL app.user_agent = %L', coalesce(left(p_user_agent, 512), ''));
  EXECUTE format('SET LOCAL app.request_id = %L', coalesce(p_request_id, ''));
  EXECUTE format('SET LOCAL ROLE %I', p_role);
END
$$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION haven_set_context(text, text, text, text, text, text, text) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION haven_set_context(text, text, text, text, text, text, text) TO haven_app;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION haven_set_updated_at() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
  NEW.updated_at := now();
  RETURN NEW;
END
$$;
--> statement-breakpoint
-- One lean insert per changed row. Arguments: the logical table name (TG_TABLE_NAME is a shard's name on Citus),
-- the column that holds the tenant, and a comma-separated list of secret columns to redact.
-- SECURITY DEFINER so the runtime roles need no INSERT privilege on audit_log.
CREATE OR REPLACE FUNCTION haven_audit_row() RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
DECLARE
  v_old jsonb;
  v_new jsonb;
  v_row jsonb;
  v_col text;
  v_tenant uuid;
BEGIN
  IF TG_OP <> 'INSERT' THEN v_old := to_jsonb(OLD); END IF;
  IF TG_OP <> 'DELETE' THEN v_new := to_jsonb(NEW); END IF;
  v_row := coalesce(v_new, v_old);
  v_tenant := (v_row ->> TG_ARGV[1])::uuid;
  -- A tenant being purged cascades deletes into every table; their audit rows would reference a tenant that
  -- no longer exists.
  IF v_tenant::text = current_setting('app.purging_tenant', true) THEN
    RETURN NULL;
  END IF;
  IF TG_ARGV[2] <> '' THEN
    FOREACH v_col IN ARRAY string_to_array(TG_ARGV[2], ',') LOOP
      IF v_old ? v_col AND v_old ->> v_col IS NOT NULL THEN v_old := jsonb_set(v_old, ARRAY[v_col], '"[redacted]"'); END IF;
      IF v_new ? v_col AND v_new ->> v_col IS NOT NULL THEN v_new := jsonb_set(v_new, ARRAY[v_col], '"[redacted]"'); END IF;
    END LOOP;
  END IF;
  INSERT INTO audit_log (tenant_id, table_name, record_id, action, old_values, new_values,
                         user_id, impersonator_id, ip_address, user_agent, request_id)
  VALUES (
    v_tenant,
    TG_ARGV[0],
    (v_row ->> 'id')::uuid,
    (CASE TG_OP WHEN 'INSERT' THEN 'CREATE' WHEN 'UPDATE' THEN 'UPDATE' ELSE 'DELETE' END)::audit_action,
    v_old,
    v_new,
    nullif(current_setting('app.user_id', true), '')::uuid,
    nullif(current_setting('app.impersonator_id', true), '')::uuid,
    nullif(current_setting('app.ip', true), ''),
    nullif(current_setting('app.user_agent', true), ''),
    nullif(current_setting('app.request_id', true), '')
  );
  RETURN NULL;
END
$$;
--> statement-breakpoint
-- Applies Haven's rules to one tenant table: RLS enabled and forced, a tenant policy for haven_tenant with
-- USING and WITH CHECK, a separate cross-tenant policy for haven_console (a superuser flag OR'd into the tenant
-- policy would turn every tenant query into a sequential scan), DML grants, updated_at and audit triggers.
CREATE OR REPLACE FUNCTION haven_secure_table(p_table text, p_redact text DEFAULT '') RETURNS void
LANGUAGE plpgsql
AS $$
BEGIN
  EXECUTE format('ALTER TABLE %I ENABLE ROW LEVEL SECURITY', p_table);
  EXECUTE format('ALTER TABLE %I FORCE ROW LEVEL SECURITY', p_table);
  EXECUTE format('DROP POLICY IF EXISTS tenant_isolation ON %I', p_table);
  -- nullif(..., ''): after a transaction that used SET LOCAL the setting reads '' rather than NULL.
  EXECUTE format($p$CREATE POLICY tenant_isolation ON %I AS PERMISSIVE FOR ALL TO haven_tenant
    USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)
    WITH CHECK (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)$p$, p_table);
  EXECUTE format('DROP POLICY IF EXISTS console_access ON %I', p_table);
  EXECUTE format('CREATE POLICY console_access ON %I AS PERMISSIVE FOR ALL TO haven_console USING (true) WITH CHECK (true)', p_table);
  EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I TO haven_tenant, haven_console', p_table);
  EXECUTE format('DROP TRIGGER IF EXISTS set_updated_at ON %I', p_table);
  EXECUTE format('CREATE TRIGGER set_updated_at BEFORE UPDATE ON %I FOR EACH ROW EXECUTE FUNCTION haven_set_updated_at()', p_table);
  EXECUTE format('DROP TRIGGER IF EXISTS audit_row ON %I', p_table);
  EXECUTE format('CREATE TRIGGER audit_row AFTER INSERT OR UPDATE OR DELETE ON %I FOR EACH ROW EXECUTE FUNCTION haven_audit_row(%L, %L, %L)',
    p_table, p_table, 'tenant_id', p_redact);
END
$$;
