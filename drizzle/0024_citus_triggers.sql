-- Citus runs a distributed table's triggers on its shards. A statement-level trigger's transition table (REFERENCING
-- NEW TABLE) lives in the shard's executor only, and the INSERT the trigger sends into another distributed table goes
-- back through the distributed executor, which cannot see it: on a Citus cluster the seed's first person failed with
-- "executor could not find named tuplestore "added"" (tried on Citus 13.2, docs/decisions/017). The two search-suffix
-- triggers of 0019 and 0021 become row-level; the schema guard now refuses transition tables on any table.
-- Second, every category move failed on a cluster: the move trigger locked the tenant's row (FOR NO KEY UPDATE, 0010),
-- and `tenants` is a reference table there, so the shard's trigger opened connections from the worker to every node,
-- which Citus 13 begins with the coordinator's whole command text repeated ("the backend has already been assigned a
-- transaction id"). A tenant's categories live on one shard, on one node, so a transaction-level advisory lock taken
-- there serializes the tenant's moves just as well, on plain PostgreSQL too. The runtime roles still cannot call the
-- advisory lock functions (0010): the lock is taken by a SECURITY DEFINER function, and only for the tenant of the
-- verified context, so a request cannot hold another tenant's moves.
CREATE OR REPLACE FUNCTION haven_categories_index_inserted() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, public, pg_temp
AS $$
BEGIN
  IF NOT NEW.is_deleted THEN
    INSERT INTO public.category_name_suffixes (tenant_id, category_id, suffix)
    SELECT NEW.tenant_id, NEW.id, substr(lower(NEW.name), i) FROM generate_series(1, length(NEW.name)) i;
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
DROP TRIGGER categories_index_inserted ON categories;
--> statement-breakpoint
CREATE TRIGGER categories_index_inserted AFTER INSERT ON categories
  FOR EACH ROW EXECUTE FUNCTION haven_categories_index_inserted();
--> statement-breakpoint
CREATE OR REPLACE FUNCTION haven_users_index_inserted() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, public, pg_temp
AS $$
DECLARE
  v_text text := lower(NEW.full_name || ' ' || NEW.email);
BEGIN
  INSERT INTO public.user_search_suffixes (tenant_id, user_id, suffix)
  SELECT NEW.tenant_id, NEW.id, substr(v_text, i, 48) FROM generate_series(1, length(v_text)) i;
  RETURN NULL;
END
$$;
--> statement-breakpoint
DROP TRIGGER users_index_inserted ON users;
--> statement-breakpoint
CREATE TRIGGER users_index_inserted AFTER INSERT ON users
  FOR EACH ROW EXECUTE FUNCTION haven_users_index_inserted();
--> statement-breakpoint
CREATE FUNCTION haven_lock_category_moves(p_tenant uuid) RETURNS void
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp
AS $$
BEGIN
  IF p_tenant IS NULL OR p_tenant IS DISTINCT FROM public.haven_context_tenant() THEN
    RAISE EXCEPTION 'a category move needs its tenant''s verified context' USING ERRCODE = 'insufficient_privilege';
  END IF;
  PERFORM pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('haven.categories.move'), pg_catalog.hashtext(p_tenant::text));
END
$$;
--> statement-breakpoint
REVOKE ALL ON FUNCTION haven_lock_category_moves(uuid) FROM PUBLIC;
--> statement-breakpoint
GRANT EXECUTE ON FUNCTION haven_lock_category_moves(uuid) TO haven_tenant, haven_console;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION haven_categories_set_path() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, public, pg_temp
AS $$
DECLARE
  v_parent_path ltree;
  v_label ltree := text2ltree(replace(NEW.id::text, '-', ''));
BEGIN
  IF TG_OP = 'UPDATE' THEN
    PERFORM public.haven_lock_category_moves(NEW.tenant_id);
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
SELECT haven_assign_ownership();
