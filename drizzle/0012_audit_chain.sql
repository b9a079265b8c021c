ALTER TYPE "public"."audit_action" ADD VALUE 'RETENTION';--> statement-breakpoint
CREATE INDEX "audit_log_tenant_table_action_idx" ON "audit_log" USING btree ("tenant_id","table_name","action","created_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE UNIQUE INDEX "audit_log_tenant_chain_idx" ON "audit_log" USING btree ("tenant_id","chain_seq") WHERE chain_seq IS NOT NULL;--> statement-breakpoint
CREATE INDEX "audit_log_tenant_unsealed_idx" ON "audit_log" USING btree ("tenant_id","created_at","id") WHERE chain_seq IS NULL;--> statement-breakpoint
-- The hash chain (ADR 013). The canonical form of an event is this JSON array's text, which PostgreSQL prints the
-- same way on every version and in every session (the time is formatted in UTC, to the microsecond):
--   [chain_seq, id, tenant_id, created_at, table_name, record_id, action, user_id, impersonator_id,
--    ip_address, user_agent, request_id, old_values, new_values]
-- chain_hash = hex(sha256(utf8(previous chain_hash || canonical))), the previous hash of event 1 being 64 zeros.
CREATE OR REPLACE FUNCTION haven_audit_canonical(a audit_log) RETURNS text
LANGUAGE sql
STABLE
SET search_path = pg_catalog, public
AS $$
  SELECT jsonb_build_array(
    a.chain_seq, a.id, a.tenant_id, to_char(a.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
    a.table_name, a.record_id, a.action, a.user_id, a.impersonator_id, a.ip_address, a.user_agent, a.request_id,
    a.old_values, a.new_values
  )::text
$$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION haven_audit_canonical(audit_log) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION haven_audit_canonical(audit_log) TO haven_tenant, haven_console;
--> statement-breakpoint
-- Sealing (UPDATE of chain_seq/chain_hash) and retention (DELETE) run on the owner connection as haven_owner,
-- which forced RLS would otherwise show no audit rows. The runtime roles keep SELECT only.
CREATE POLICY owner_read ON audit_log AS PERMISSIVE FOR SELECT TO haven_owner USING (true);
--> statement-breakpoint
CREATE POLICY owner_seal ON audit_log AS PERMISSIVE FOR UPDATE TO haven_owner USING (true) WITH CHECK (true);
--> statement-breakpoint
CREATE POLICY owner_retention ON audit_log AS PERMISSIVE FOR DELETE TO haven_owner USING (true);
--> statement-breakpoint
SELECT haven_assign_ownership();
