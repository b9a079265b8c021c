-- Sign-in throttling and the actor switch used once the session is known.
-- auth_rate_limits has no grants for the runtime roles: it is reached only through these functions.
CREATE OR REPLACE FUNCTION haven_rate_limit_retry_after(p_keys text[], p_limits int[], p_window_seconds int)
RETURNS int
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
  SELECT coalesce(max(ceil(extract(epoch FROM (r.window_start + make_interval(secs => p_window_seconds) - now()))))::int, 0)
  FROM unnest(p_keys, p_limits) AS k(key, max_count)
  JOIN auth_rate_limits r ON r.key = encode(sha256(convert_to(k.key, 'UTF8')), 'hex')
  WHERE r.count >= k.max_count AND r.window_start > now() - make_interval(secs => p_window_seconds)
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION haven_rate_limit_hit(p_keys text[], p_window_seconds int)
RETURNS void
LANGUAGE sql
SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
  INSERT INTO auth_rate_limits AS r (key, window_start, count)
  SELECT encode(sha256(convert_to(k, 'UTF8')), 'hex'), now(), 1 FROM unnest(p_keys) AS k
  ON CONFLICT (key) DO UPDATE SET
    count = CASE WHEN r.window_start > now() - make_interval(secs => p_window_seconds) THEN r.count + 1 ELSE 1 END,
    window_start = CASE WHEN r.window_start > now() - make_interval(secs => p_window_seconds) THEN r.window_start ELSE now() END
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION haven_rate_limit_clear(p_key text)
RETURNS void
LANGUAGE sql
SECURITY DEFINER
SET search_path = pg_catalog, public
AS $$
  DELETE FROM auth_rate_limits WHERE key = encode(sha256(convert_to(p_key, 'UTF8')), 'hex')
$$;
--> statement-breakpoint
-- Sets the actor after the session has been read inside the request's transaction. It grants nothing new: any
-- role may set a custom setting; this keeps the one spelling of it.
CREATE OR REPLACE FUNCTION haven_set_actor(p_user_id text, p_impersonator_id text)
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, public
AS $$
BEGIN
  EXECUTE format('SET LOCAL app.user_id = %L', coalesce(p_user_id, ''));
  EXECUTE format('SET LOCAL app.impersonator_id = %L', coalesce(p_impersonator_id, ''));
END
$$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION haven_rate_limit_retry_after(text[], int[], int), haven_rate_limit_hit(text[], int),
  haven_rate_limit_clear(text), haven_set_actor(text, text) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION haven_rate_limit_retry_after(text[], int[], int), haven_rate_limit_hit(text[], int),
  haven_rate_limit_clear(text), haven_set_actor(text, text) TO haven_tenant, haven_console;
--> statement-breakpoint
CREATE TRIGGER set_updated_at BEFORE UPDATE ON auth_rate_limits FOR EACH ROW EXECUTE FUNCTION haven_set_updated_at();
--> statement-breakpoint
-- Every later migration ends with this call, so haven_owner keeps owning everything.
CREATE OR REPLACE FUNCTION haven_assign_ownership() RETURNS void
LANGUAGE plpgsql
AS $$
DECLARE
  r record;
BEGIN
  FOR r IN SELECT c.relname FROM pg_class c
            WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p')
              AND c.relname NOT LIKE '\_\_drizzle%' AND pg_get_userbyid(c.relowner) <> 'haven_owner' LOOP
    EXECUTE format('ALTER TABLE %I OWNER TO haven_owner', r.relname);
  END LOOP;
  FOR r IN SELECT t.typname FROM pg_type t
            WHERE t.typnamespace = 'public'::regnamespace AND t.typtype = 'e' AND pg_get_userbyid(t.typowner) <> 'haven_owner' LOOP
    EXECUTE format('ALTER TYPE %I OWNER TO haven_owner', r.typname);
  END LOOP;
  FOR r IN SELECT p.oid::regprocedure AS sig FROM pg_proc p
            LEFT JOIN pg_depend d ON d.objid = p.oid AND d.deptype = 'e'
            WHERE p.pronamespace = 'public'::regnamespace AND p.proname LIKE 'haven\_%' AND d.objid IS NULL
              AND pg_get_userbyid(p.proowner) <> 'haven_owner' LOOP
    EXECUTE format('ALTER FUNCTION %s OWNER TO haven_owner', r.sig);
  END LOOP;
END
$$;
--> statement-breakpoint
SELECT haven_assign_ownership();
--> statement-breakpoint
-- Moves are serialized per tenant: two concurrent moves (A under B, B under A) would each pass the cycle check
-- against the other's old paths. The lock is transaction-scoped and taken only when parent_id changes.
CREATE OR REPLACE FUNCTION haven_categories_set_path() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, public
AS $$
DECLARE
  v_parent_path ltree;
  v_label ltree := text2ltree(replace(NEW.id::text, '-', ''));
BEGIN
  IF TG_OP = 'UPDATE' THEN
    PERFORM pg_advisory_xact_lock(hashtext('haven.categories.move'), hashtext(NEW.tenant_id::text));
  END IF;
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
SELECT haven_assign_ownership();
