-- Keys for the category screens (docs/decisions/012). Under forced RLS only leakproof operators may become index
-- conditions; ltree's <@ and lower()/LIKE are not, text comparison in the "C" collation is. So the tree keeps two
-- generated text keys beside `path` and `name`, and the reads compare those with tenant_id first:
--   path_key: the path as text; a subtree is the range [path_key, path_key || '/') because every label has the
--             same length (32 hex digits) and '.' < '/'.
--   name_key: the lowercased name; search is a prefix range on it.
ALTER TABLE categories ADD COLUMN path_key text COLLATE "C" GENERATED ALWAYS AS (ltree2text(path)) STORED;
--> statement-breakpoint
ALTER TABLE categories ADD COLUMN name_key text COLLATE "C" GENERATED ALWAYS AS (lower(name)) STORED;
--> statement-breakpoint
CREATE INDEX categories_tenant_path_key_idx ON categories (tenant_id, path_key);
--> statement-breakpoint
CREATE INDEX categories_tenant_name_key_idx ON categories (tenant_id, name_key, id) WHERE NOT is_deleted;
--> statement-breakpoint
-- Names are unique among live siblings (roots are siblings of each other: NULLS NOT DISTINCT).
CREATE UNIQUE INDEX categories_tenant_parent_name_live_key ON categories (tenant_id, parent_id, name_key) NULLS NOT DISTINCT
  WHERE NOT is_deleted;
--> statement-breakpoint
SELECT haven_assign_ownership();
