-- Secret links end when the facts they were issued on change (ADR 014). Triggers, so that every path that changes
-- those facts ends them: better-auth's reset and password change, the admin screens, the trash, a script.
--
-- A password-reset link is a better-auth verification row ('reset-password:<token>', value = the user's id). All of a
-- person's outstanding links end when their password is set or changed (which is also what using one link does),
-- when their email changes, and when they are deactivated, soft-deleted or deleted.
CREATE OR REPLACE FUNCTION haven_end_reset_links() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, public, pg_temp
AS $$
DECLARE
  v_user uuid;
BEGIN
  -- Separate assignments: a record field is resolved when its statement runs, and users has no user_id.
  IF TG_ARGV[0] = 'accounts' THEN
    v_user := OLD.user_id;
  ELSE
    v_user := OLD.id;
  END IF;
  DELETE FROM verifications
   WHERE tenant_id = OLD.tenant_id
     AND value = v_user::text
     AND identifier LIKE 'reset-password:%';
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER users_end_reset_links AFTER UPDATE OF email, is_active, is_deleted ON users
  FOR EACH ROW
  WHEN (OLD.email IS DISTINCT FROM NEW.email OR (OLD.is_active AND NOT NEW.is_active) OR (NOT OLD.is_deleted AND NEW.is_deleted))
  EXECUTE FUNCTION haven_end_reset_links('users');
--> statement-breakpoint
CREATE TRIGGER users_end_reset_links_on_delete AFTER DELETE ON users
  FOR EACH ROW EXECUTE FUNCTION haven_end_reset_links('users');
--> statement-breakpoint
CREATE TRIGGER accounts_end_reset_links AFTER UPDATE OF password ON accounts
  FOR EACH ROW
  WHEN (OLD.password IS DISTINCT FROM NEW.password)
  EXECUTE FUNCTION haven_end_reset_links('accounts');
--> statement-breakpoint
-- A pending invitation ends when its address becomes a live person some other way (added by an admin, an email
-- changed to it, restored from the trash). Accepting an invitation claims it before the person is created, so the
-- accepted one is not touched.
CREATE OR REPLACE FUNCTION haven_end_invitations_for_live_user() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, public, pg_temp
AS $$
BEGIN
  UPDATE invitations
     SET status = 'revoked'
   WHERE tenant_id = NEW.tenant_id
     AND email = NEW.email
     AND status = 'pending';
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER users_end_invitations_on_insert AFTER INSERT ON users
  FOR EACH ROW
  WHEN (NOT NEW.is_deleted)
  EXECUTE FUNCTION haven_end_invitations_for_live_user();
--> statement-breakpoint
CREATE TRIGGER users_end_invitations_on_update AFTER UPDATE OF email, is_deleted ON users
  FOR EACH ROW
  WHEN (NOT NEW.is_deleted AND (OLD.email IS DISTINCT FROM NEW.email OR OLD.is_deleted))
  EXECUTE FUNCTION haven_end_invitations_for_live_user();
--> statement-breakpoint
SELECT haven_assign_ownership();
