-- 1. The purge marker only silences the audit of rows whose tenant is already gone (a tenant purge cascades into
--    every table). Any role can set a custom setting, so the marker alone must never switch auditing off: a tenant
--    that sets it for itself still gets audited because its tenant row exists. The lookup runs only when the
--    marker matches, so ordinary writes stay one insert.
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
  IF TG_OP = 'DELETE' AND v_tenant::text = current_setting('app.purging_tenant', true)
     AND NOT EXISTS (SELECT 1 FROM tenants WHERE id = v_tenant) THEN
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
-- The audit function runs as haven_owner, which forced RLS on tenants would otherwise show no rows at all.
CREATE POLICY owner_read ON tenants AS PERMISSIVE FOR SELECT TO haven_owner USING (true);
--> statement-breakpoint
-- 2. path and depth belong to the tree triggers: a statement may not set them directly (only the subtree rewrite,
--    which runs inside a trigger, does).
CREATE OR REPLACE FUNCTION haven_categories_protect_path() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, public
AS $$
BEGIN
  RAISE EXCEPTION 'categories.path and depth are maintained by the database; change parent_id instead'
    USING ERRCODE = 'insufficient_privilege';
END
$$;
--> statement-breakpoint
CREATE TRIGGER categories_protect_path BEFORE UPDATE OF path, depth ON categories
  FOR EACH ROW WHEN (pg_trigger_depth() = 0) EXECUTE FUNCTION haven_categories_protect_path();
--> statement-breakpoint
SELECT haven_assign_ownership();
