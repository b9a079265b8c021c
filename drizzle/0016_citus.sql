-- Haven distributed by tenant on Citus (docs/decisions/016). This migration changes nothing a single node notices;
-- the distribution itself is `npm run db:distribute` (app/server/db/distribute.server.ts), a no-op without Citus.
--
-- 1. The signed context is set with SET LOCAL rather than set_config(): with citus.propagate_set_commands = 'local'
--    Citus forwards SET LOCAL to every worker connection of the transaction, where the policies on the shards read
--    it; set_config() stays on the coordinator, and every shard would see no tenant (no rows, no writes).
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
  EXECUTE pg_catalog.format('SET LOCAL app.context = %L', p_context);
  EXECUTE pg_catalog.format('SET LOCAL app.context_sig = %L', p_sig);
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
CREATE OR REPLACE FUNCTION haven_set_actor(p_context text, p_sig text) RETURNS void
LANGUAGE plpgsql
AS $$
DECLARE
  v_old text[] := public.haven_context();
  v_new text[];
BEGIN
  EXECUTE pg_catalog.format('SET LOCAL app.context = %L', p_context);
  EXECUTE pg_catalog.format('SET LOCAL app.context_sig = %L', p_sig);
  v_new := public.haven_context();
  IF v_old IS NULL OR v_new IS NULL OR v_new[1] IS DISTINCT FROM v_old[1] OR v_new[2] IS DISTINCT FROM v_old[2] THEN
    RAISE EXCEPTION 'haven_set_actor: the new context does not verify for this scope' USING ERRCODE = 'insufficient_privilege';
  END IF;
END
$$;
--> statement-breakpoint
-- The purge marker (rows of a tenant being purged are not audited) reaches the shards the same way.
CREATE OR REPLACE FUNCTION haven_mark_purging(p_tenant uuid) RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, public, pg_temp
AS $$
BEGIN
  EXECUTE pg_catalog.format('SET LOCAL app.purging_tenant = %L', coalesce(p_tenant::text, ''));
END
$$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION haven_mark_purging(uuid) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION haven_mark_purging(uuid) TO haven_console;
--> statement-breakpoint
-- 2. tenants carries no row audit trigger. On Citus it is a reference table: a trigger on its shards fires once per
--    node and cannot write the distributed audit log ("cannot execute a distributed query from a query on a
--    shard"). The code that changes a tenant records the change as a domain event through the outbox
--    (app/features/tenants/tenant-changes.server.ts), and the outbox takes a CREATE or UPDATE of the tenants row
--    itself, with the row before and after in details {old, new}. Every other row change stays a trigger's.
DROP TRIGGER IF EXISTS audit_row ON tenants;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION haven_audit_outbox() RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp
AS $$
DECLARE
  v_ctx text[] := public.haven_context();
  v_tenant_row boolean := NEW.table_name = 'tenants' AND NEW.record_id = NEW.tenant_id AND NEW.action IN ('CREATE', 'UPDATE');
BEGIN
  IF v_ctx IS NULL THEN
    RAISE EXCEPTION 'haven_audit_event: no verified request context' USING ERRCODE = 'insufficient_privilege';
  END IF;
  -- RLS checks an inserted row only after BEFORE triggers, and this one keeps no row: check the tenant here.
  IF v_ctx[1] <> 'haven_console' AND NEW.tenant_id IS DISTINCT FROM nullif(v_ctx[2], '')::uuid THEN
    RAISE EXCEPTION 'haven_audit_event: the event belongs to another tenant' USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF NEW.action IN ('CREATE', 'UPDATE', 'DELETE') AND NOT v_tenant_row THEN
    RAISE EXCEPTION 'haven_audit_event: row changes are recorded by triggers' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  -- Retention checkpoints anchor chain verification: only the owner's retention job writes them.
  IF NEW.action::text = 'RETENTION' THEN
    RAISE EXCEPTION 'haven_audit_event: % events are written by the system only', NEW.action USING ERRCODE = 'insufficient_privilege';
  END IF;
  INSERT INTO public.audit_log (tenant_id, table_name, record_id, action, old_values, new_values,
                                user_id, impersonator_id, ip_address, user_agent, request_id)
  VALUES (NEW.tenant_id, NEW.table_name, NEW.record_id, NEW.action,
          CASE WHEN v_tenant_row THEN nullif(NEW.details -> 'old', 'null'::jsonb) END,
          CASE WHEN v_tenant_row THEN NEW.details -> 'new' ELSE NEW.details END,
          nullif(v_ctx[3], '')::uuid, nullif(v_ctx[4], '')::uuid,
          nullif(v_ctx[5], ''), nullif(v_ctx[6], ''), nullif(v_ctx[7], ''));
  RETURN NULL;
END
$$;
--> statement-breakpoint
-- 3. A whole-row argument does not reach a shard (there the row is of type audit_log_<shard id>), so the canonical
--    form of an audit event (decision 013) also takes its columns; the row form is defined through it.
CREATE OR REPLACE FUNCTION haven_audit_canonical(p_chain_seq bigint, p_id uuid, p_tenant_id uuid, p_created_at timestamptz,
  p_table_name text, p_record_id uuid, p_action audit_action, p_user_id uuid, p_impersonator_id uuid, p_ip_address text,
  p_user_agent text, p_request_id text, p_old_values jsonb, p_new_values jsonb) RETURNS text
LANGUAGE sql
STABLE
SET search_path = pg_catalog, public
AS $$
  SELECT jsonb_build_array(
    p_chain_seq, p_id, p_tenant_id, to_char(p_created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
    p_table_name, p_record_id, p_action, p_user_id, p_impersonator_id, p_ip_address, p_user_agent, p_request_id,
    p_old_values, p_new_values
  )::text
$$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION haven_audit_canonical(bigint, uuid, uuid, timestamptz, text, uuid, audit_action, uuid, uuid, text, text, text, jsonb, jsonb) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION haven_audit_canonical(bigint, uuid, uuid, timestamptz, text, uuid, audit_action, uuid, uuid, text, text, text, jsonb, jsonb) TO haven_tenant, haven_console;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION haven_audit_canonical(a audit_log) RETURNS text
LANGUAGE sql
STABLE
SET search_path = pg_catalog, public
AS $$
  SELECT public.haven_audit_canonical(a.chain_seq, a.id, a.tenant_id, a.created_at, a.table_name, a.record_id, a.action,
    a.user_id, a.impersonator_id, a.ip_address, a.user_agent, a.request_id, a.old_values, a.new_values)
$$;
--> statement-breakpoint
SELECT haven_assign_ownership();
