-- People search by name or email, index-backed under RLS (issue 13; the same way as categories in 0019): every suffix
-- of a person's lowercased "full name + space + email", up to 48 characters long, in its own table, so "contains q"
-- is the prefix range [q, q || U+10FFFF) on (tenant_id, suffix). C-collated text comparison is leakproof and so an
-- index condition under forced RLS; pg_trgm's LIKE is not, so the trigram index served no tenant-scoped search
-- (it stays for the console, whose search runs under the console's own policies). A longer q is matched by its first
-- 48 characters and rechecked against the name and email.
CREATE TABLE "user_search_suffixes" (
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"suffix" text COLLATE "C" NOT NULL,
	CONSTRAINT "user_search_suffixes_pkey" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
ALTER TABLE "user_search_suffixes" ADD CONSTRAINT "user_search_suffixes_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "user_search_suffixes" ADD CONSTRAINT "user_search_suffixes_user_fk" FOREIGN KEY ("tenant_id","user_id") REFERENCES "public"."users"("tenant_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "user_search_suffixes_search_idx" ON "user_search_suffixes" USING btree ("tenant_id","suffix","user_id");--> statement-breakpoint
CREATE INDEX "user_search_suffixes_user_idx" ON "user_search_suffixes" USING btree ("tenant_id","user_id","suffix");
--> statement-breakpoint
-- A range of suffixes is a small share of the table (a tenant of 100,000 people holds some 3.5 million): with the
-- default 100 histogram buckets the planner guessed one row for a search that matched 10,000 people and chose
-- the plan for one; 1,000 buckets let it tell a rare text from a common one.
ALTER TABLE user_search_suffixes ALTER COLUMN suffix SET STATISTICS 1000;
--> statement-breakpoint
SELECT haven_secure_table('user_search_suffixes');
--> statement-breakpoint
-- Derived from users.full_name and users.email, which are audited: no audit row or updated_at per suffix.
DROP TRIGGER audit_row ON user_search_suffixes;
--> statement-breakpoint
DROP TRIGGER set_updated_at ON user_search_suffixes;
--> statement-breakpoint
-- Inserts are indexed per statement (a bulk insert writes its suffixes in one statement), a change of name or email
-- per row. Invoker functions: they write under the same tenant policy as the change that fired them. Every person is
-- indexed, live or in the trash (the trash is searched too).
CREATE FUNCTION haven_users_index_inserted() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, public, pg_temp
AS $$
BEGIN
  INSERT INTO public.user_search_suffixes (tenant_id, user_id, suffix)
  SELECT n.tenant_id, n.id, substr(t.text, i, 48)
    FROM added n
    CROSS JOIN LATERAL (SELECT lower(n.full_name || ' ' || n.email) AS text) t
    CROSS JOIN LATERAL generate_series(1, length(t.text)) i;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE FUNCTION haven_users_index_changed() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, public, pg_temp
AS $$
DECLARE
  v_text text := lower(NEW.full_name || ' ' || NEW.email);
BEGIN
  DELETE FROM public.user_search_suffixes WHERE tenant_id = NEW.tenant_id AND user_id = NEW.id;
  INSERT INTO public.user_search_suffixes (tenant_id, user_id, suffix)
  SELECT NEW.tenant_id, NEW.id, substr(v_text, i, 48) FROM generate_series(1, length(v_text)) i;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER users_index_inserted AFTER INSERT ON users REFERENCING NEW TABLE AS added
  FOR EACH STATEMENT EXECUTE FUNCTION haven_users_index_inserted();
--> statement-breakpoint
CREATE TRIGGER users_index_changed AFTER UPDATE OF full_name, email ON users
  FOR EACH ROW WHEN (OLD.full_name IS DISTINCT FROM NEW.full_name OR OLD.email IS DISTINCT FROM NEW.email)
  EXECUTE FUNCTION haven_users_index_changed();
--> statement-breakpoint
INSERT INTO user_search_suffixes (tenant_id, user_id, suffix)
SELECT u.tenant_id, u.id, substr(t.text, i, 48)
  FROM users u
  CROSS JOIN LATERAL (SELECT lower(u.full_name || ' ' || u.email) AS text) t
  CROSS JOIN LATERAL generate_series(1, length(t.text)) i;
--> statement-breakpoint
SELECT haven_assign_ownership();
