-- An invitation and a person for the same address, created at the same moment, must not both live (ADR 014). Each
-- side checked for the other before writing, but under read committed neither saw the other's uncommitted row, so
-- a new person and a pending invitation could both commit. Now both take one transaction-level lock per (tenant,
-- address) after their row is written and checked by RLS, and look for the other only once they hold it: an
-- invitation for an address that is already a live person is refused (23505, answered 409), and a person who
-- becomes live revokes the pending invitation even if it committed a moment before.
--
-- The lock is taken by a SECURITY DEFINER trigger function (the runtime roles may not take advisory locks, 0010).
-- A trigger function cannot be called directly, and an AFTER trigger fires only for a row the caller was allowed
-- to write, so a request can lock only addresses of its own tenant. AFTER ROW triggers fire in name order:
-- *_address_lock runs before the triggers that look for the other side.
CREATE OR REPLACE FUNCTION haven_lock_address() RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp
AS $$
BEGIN
  PERFORM pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtext('haven.address'),
    pg_catalog.hashtext(NEW.tenant_id::text || ':' || pg_catalog.lower(NEW.email)));
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER users_address_lock_on_insert AFTER INSERT ON users
  FOR EACH ROW
  WHEN (NOT NEW.is_deleted)
  EXECUTE FUNCTION haven_lock_address();
--> statement-breakpoint
CREATE TRIGGER users_address_lock_on_update AFTER UPDATE OF email, is_deleted ON users
  FOR EACH ROW
  WHEN (NOT NEW.is_deleted AND (OLD.email IS DISTINCT FROM NEW.email OR OLD.is_deleted))
  EXECUTE FUNCTION haven_lock_address();
--> statement-breakpoint
CREATE OR REPLACE FUNCTION haven_refuse_invitation_for_live_user() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, public, pg_temp
AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM users WHERE tenant_id = NEW.tenant_id AND email = NEW.email AND NOT is_deleted) THEN
    RAISE EXCEPTION 'someone in this workspace already uses this address'
      USING ERRCODE = 'unique_violation', CONSTRAINT = 'users_tenant_email_live_key';
  END IF;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER invitations_address_lock AFTER INSERT ON invitations
  FOR EACH ROW
  WHEN (NEW.status = 'pending')
  EXECUTE FUNCTION haven_lock_address();
--> statement-breakpoint
CREATE TRIGGER invitations_refuse_live_address AFTER INSERT ON invitations
  FOR EACH ROW
  WHEN (NEW.status = 'pending')
  EXECUTE FUNCTION haven_refuse_invitation_for_live_user();
--> statement-breakpoint
SELECT haven_assign_ownership();
