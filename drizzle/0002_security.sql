-- Forced RLS, policies, grants and triggers for every table, the category tree triggers, domain audit events
-- and ownership by haven_owner.
ALTER TABLE users ADD CONSTRAINT users_email_lowercase CHECK (email = lower(email));
--> statement-breakpoint
ALTER TABLE invitations ADD CONSTRAINT invitations_email_lowercase CHECK (email = lower(email));
--> statement-breakpoint
ALTER TABLE tenants ADD CONSTRAINT tenants_slug_format CHECK (slug ~ '^[a-z0-9]([a-z0-9-]{0,38}[a-z0-9])?$');
--> statement-breakpoint
ALTER TABLE categories ADD CONSTRAINT categories_not_own_parent CHECK (parent_id IS DISTINCT FROM id);
--> statement-breakpoint
SELECT haven_secure_table('users');
--> statement-breakpoint
SELECT haven_secure_table('sessions', 'token');
--> statement-breakpoint
SELECT haven_secure_table('accounts', 'password,access_token,refresh_token,id_token');
--> statement-breakpoint
SELECT haven_secure_table('verifications', 'value');
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
-- tenants: each tenant sees (and may rename or re-configure) only its own row; suspension, slug and plan are the
-- console's. haven_app may read just enough to resolve a Host to a tenant before any scope exists.
ALTER TABLE tenants ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE tenants FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON tenants AS PERMISSIVE FOR ALL TO haven_tenant
  USING (id = nullif(current_setting('app.tenant_id', true), '')::uuid)
  WITH CHECK (id = nullif(current_setting('app.tenant_id', true), '')::uuid);
--> statement-breakpoint
CREATE POLICY console_access ON tenants AS PERMISSIVE FOR ALL TO haven_console USING (true) WITH CHECK (true);
--> statement-breakpoint
CREATE POLICY resolve_host ON tenants AS PERMISSIVE FOR SELECT TO haven_app USING (true);
--> statement-breakpoint
GRANT SELECT ON tenants TO haven_tenant;
--> statement-breakpoint
GRANT UPDATE (name, settings) ON tenants TO haven_tenant;
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON tenants TO haven_console;
--> statement-breakpoint
GRANT SELECT (id, slug, name, is_active, is_deleted) ON tenants TO haven_app;
--> statement-breakpoint
CREATE TRIGGER set_updated_at BEFORE UPDATE ON tenants FOR EACH ROW EXECUTE FUNCTION haven_set_updated_at();
--> statement-breakpoint
-- No DELETE audit on tenants: a deleted tenant's audit rows go with it.
CREATE TRIGGER audit_row AFTER INSERT OR UPDATE ON tenants FOR EACH ROW EXECUTE FUNCTION haven_audit_row('tenants', 'id', '');
--> statement-breakpoint
GRANT SELECT ON permissions TO haven_tenant, haven_console;
--> statement-breakpoint
CREATE TRIGGER set_updated_at BEFORE UPDATE ON permissions FOR EACH ROW EXECUTE FUNCTION haven_set_updated_at();
--> statement-breakpoint
-- audit_log: readable per tenant (and by the console); written only by the SECURITY DEFINER functions owned by
-- haven_owner; never updated or deleted by the runtime roles.
ALTER TABLE audit_log ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE audit_log FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON audit_log AS PERMISSIVE FOR SELECT TO haven_tenant
  USING (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid);
--> statement-breakpoint
CREATE POLICY console_access ON audit_log AS PERMISSIVE FOR SELECT TO haven_console USING (true);
--> statement-breakpoint
CREATE POLICY audit_writer ON audit_log AS PERMISSIVE FOR INSERT TO haven_owner WITH CHECK (true);
--> statement-breakpoint
GRANT SELECT ON audit_log TO haven_tenant, haven_console;
--> statement-breakpoint
CREATE TRIGGER set_updated_at BEFORE UPDATE ON audit_log FOR EACH ROW EXECUTE FUNCTION haven_set_updated_at();
--> statement-breakpoint
-- Domain events (sign-in, impersonation, export…) for the tenant in context, attributed to the actor in context.
CREATE OR REPLACE FUNCTION haven_audit_event(p_action audit_action, p_table text, p_record_id uuid, p_details jsonb)
RETURNS void
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
DECLARE
  v_tenant uuid := nullif(current_setting('app.tenant_id', true), '')::uuid;
BEGIN
  IF v_tenant IS NULL THEN
    RAISE EXCEPTION 'haven_audit_event: no tenant in context' USING ERRCODE = 'insufficient_privilege';
  END IF;
  IF p_action IN ('CREATE', 'UPDATE', 'DELETE') THEN
    RAISE EXCEPTION 'haven_audit_event: row changes are recorded by triggers' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  INSERT INTO audit_log (tenant_id, table_name, record_id, action, new_values,
                         user_id, impersonator_id, ip_address, user_agent, request_id)
  VALUES (
    v_tenant, p_table, p_record_id, p_action, p_details,
    nullif(current_setting('app.user_id', true), '')::uuid,
    nullif(current_setting('app.impersonator_id', true), '')::uuid,
    nullif(current_setting('app.ip', true), ''),
    nullif(current_setting('app.user_agent', true), ''),
    nullif(current_setting('app.request_id', true), '')
  );
END
$$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION haven_audit_event(audit_action, text, uuid, jsonb) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION haven_audit_event(audit_action, text, uuid, jsonb) TO haven_tenant, haven_console;
--> statement-breakpoint
REVOKE ALL ON FUNCTION haven_audit_row() FROM PUBLIC;
--> statement-breakpoint
-- Category tree: path and depth follow parent_id. A move rewrites the moved subtree's paths in one statement;
-- moving a category under itself or a descendant is refused.
CREATE OR REPLACE FUNCTION haven_categories_set_path() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, public
AS $$
DECLARE
  v_parent_path ltree;
  v_label ltree := text2ltree(replace(NEW.id::text, '-', ''));
BEGIN
  IF NEW.parent_id IS NULL THEN
    NEW.path := v_label;
  ELSE
    SELECT path INTO v_parent_path FROM categories WHERE tenant_id = NEW.tenant_id AND id = NEW.parent_id;
    IF v_parent_path IS NULL THEN
      RAISE EXCEPTION 'parent category % does not exist', NEW.parent_id USING ERRCODE = 'foreign_key_violation';
    END IF;
    IF TG_OP = 'UPDATE' AND v_parent_path <@ OLD.path THEN
      RAISE EXCEPTION 'a category cannot be moved into itself or its own subtree' USING ERRCODE = 'check_violation';
    END IF;
    NEW.path := v_parent_path || v_label;
  END IF;
  NEW.depth := nlevel(NEW.path) - 1;
  RETURN NEW;
END
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION haven_categories_move_subtree() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, public
AS $$
BEGIN
  UPDATE categories
     SET path = NEW.path || subpath(path, nlevel(OLD.path)),
         depth = nlevel(NEW.path) + nlevel(path) - nlevel(OLD.path) - 1
   WHERE tenant_id = NEW.tenant_id AND path <@ OLD.path AND id <> NEW.id;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER categories_set_path BEFORE INSERT OR UPDATE OF parent_id ON categories
  FOR EACH ROW EXECUTE FUNCTION haven_categories_set_path();
--> statement-breakpoint
CREATE TRIGGER categories_move_subtree AFTER UPDATE OF parent_id ON categories
  FOR EACH ROW WHEN (OLD.path IS DISTINCT FROM NEW.path) EXECUTE FUNCTION haven_categories_move_subtree();
--> statement-breakpoint
-- haven_owner owns every table, type and function; the runtime roles own nothing.
DO $$
DECLARE
  r record;
BEGIN
  FOR r IN SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')
              AND c.relname NOT LIKE '__drizzle%' LOOP
    EXECUTE format('ALTER TABLE %I OWNER TO haven_owner', r.relname);
  END LOOP;
  FOR r IN SELECT t.typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
            WHERE n.nspname = 'public' AND t.typtype = 'e' LOOP
    EXECUTE format('ALTER TYPE %I OWNER TO haven_owner', r.typname);
  END LOOP;
  FOR r IN SELECT p.oid::regprocedure AS sig FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
            LEFT JOIN pg_depend d ON d.objid = p.oid AND d.deptype = 'e'
            WHERE n.nspname = 'public' AND p.proname LIKE 'haven\_%' AND d.objid IS NULL LOOP
    EXECUTE format('ALTER FUNCTION %s OWNER TO haven_owner', r.sig);
  END LOOP;
END
$$;
