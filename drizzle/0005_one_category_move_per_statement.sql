-- A move's descendants are rewritten by an AFTER ROW trigger, from paths read while the statement ran. A second
-- parent_id change in the same statement reads paths that are about to be rewritten: it can leave wrong paths or
-- close a cycle (A under B and B under A's child in one UPDATE both pass the subtree check). So a statement may
-- move one category; the BEFORE trigger marks a pending move and the AFTER trigger clears the mark.
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
CREATE OR REPLACE FUNCTION haven_categories_move_subtree() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, public
AS $$
BEGIN
  PERFORM set_config('haven.category_move_pending', '', true);
  UPDATE categories
     SET path = NEW.path || subpath(path, nlevel(OLD.path)),
         depth = nlevel(NEW.path) + nlevel(path) - nlevel(OLD.path) - 1
   WHERE tenant_id = NEW.tenant_id AND path <@ OLD.path AND id <> NEW.id;
  RETURN NULL;
END
$$;
--> statement-breakpoint
SELECT haven_assign_ownership();
