-- Substring search by name, index-backed under RLS (docs/decisions/012): every suffix of a live category's lowercased
-- name in its own table, so "names containing q" is the prefix range [q, q || U+10FFFF) on (tenant_id, suffix). Text
-- comparison in the "C" collation is leakproof and so an index condition under forced RLS; pg_trgm's LIKE and %
-- are not, and its GIN index was never used for a tenant-scoped query.
CREATE TABLE "category_name_suffixes" (
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"category_id" uuid NOT NULL,
	"suffix" text COLLATE "C" NOT NULL,
	CONSTRAINT "category_name_suffixes_pkey" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
ALTER TABLE "category_name_suffixes" ADD CONSTRAINT "category_name_suffixes_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "category_name_suffixes" ADD CONSTRAINT "category_name_suffixes_category_fk" FOREIGN KEY ("tenant_id","category_id") REFERENCES "public"."categories"("tenant_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "category_name_suffixes_category_idx" ON "category_name_suffixes" USING btree ("tenant_id","category_id");
--> statement-breakpoint
CREATE INDEX category_name_suffixes_search_idx ON category_name_suffixes (tenant_id, suffix, category_id);
--> statement-breakpoint
SELECT haven_secure_table('category_name_suffixes');
--> statement-breakpoint
-- Derived from categories.name, which is audited: no audit row or updated_at per suffix.
DROP TRIGGER audit_row ON category_name_suffixes;
--> statement-breakpoint
DROP TRIGGER set_updated_at ON category_name_suffixes;
--> statement-breakpoint
-- Inserts are indexed per statement (a bulk insert writes its suffixes in one statement); a rename, soft delete or
-- restore per row. Invoker functions: they write under the same tenant policy as the change that fired them.
CREATE FUNCTION haven_categories_index_inserted() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, public, pg_temp
AS $$
BEGIN
  INSERT INTO public.category_name_suffixes (tenant_id, category_id, suffix)
  SELECT n.tenant_id, n.id, substr(lower(n.name), i)
    FROM added n CROSS JOIN LATERAL generate_series(1, length(n.name)) i
   WHERE NOT n.is_deleted;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE FUNCTION haven_categories_index_changed() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, public, pg_temp
AS $$
BEGIN
  DELETE FROM public.category_name_suffixes WHERE tenant_id = NEW.tenant_id AND category_id = NEW.id;
  IF NOT NEW.is_deleted THEN
    INSERT INTO public.category_name_suffixes (tenant_id, category_id, suffix)
    SELECT NEW.tenant_id, NEW.id, substr(lower(NEW.name), i) FROM generate_series(1, length(NEW.name)) i;
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER categories_index_inserted AFTER INSERT ON categories REFERENCING NEW TABLE AS added
  FOR EACH STATEMENT EXECUTE FUNCTION haven_categories_index_inserted();
--> statement-breakpoint
CREATE TRIGGER categories_index_changed AFTER UPDATE OF name, is_deleted ON categories
  FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name OR OLD.is_deleted IS DISTINCT FROM NEW.is_deleted)
  EXECUTE FUNCTION haven_categories_index_changed();
--> statement-breakpoint
-- The trigram index on lower(name) never served a query under RLS; it only cost every write.
DROP INDEX "categories_name_trgm";
--> statement-breakpoint
INSERT INTO category_name_suffixes (tenant_id, category_id, suffix)
SELECT c.tenant_id, c.id, substr(lower(c.name), i)
  FROM categories c CROSS JOIN LATERAL generate_series(1, length(c.name)) i
 WHERE NOT c.is_deleted;
--> statement-breakpoint
-- A move rewrites its descendants through the (tenant_id, path_key) range instead of ltree's `path <@` (docs/decisions
-- 012): under forced RLS `<@` is not leakproof, so it filtered every row of the tenant; the C-collated text range is
-- an index condition. The range's lower bound is exclusive, which leaves out the moved node itself.
CREATE OR REPLACE FUNCTION haven_categories_move_subtree() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, public, pg_temp
AS $$
DECLARE
  v_from text COLLATE "C" := ltree2text(OLD.path);
BEGIN
  PERFORM set_config('haven.category_move_pending', '', true);
  UPDATE public.categories
     SET path = NEW.path || subpath(path, nlevel(OLD.path)),
         depth = nlevel(NEW.path) + nlevel(path) - nlevel(OLD.path) - 1
   WHERE tenant_id = NEW.tenant_id AND path_key > v_from AND path_key < v_from || '/';
  RETURN NULL;
END
$$;
--> statement-breakpoint
SELECT haven_assign_ownership();
