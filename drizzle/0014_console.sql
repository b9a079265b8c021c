CREATE TABLE "user_mfa" (
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"user_id" uuid NOT NULL,
	"secret" text NOT NULL,
	"confirmed_at" timestamp with time zone,
	"recovery_codes" text[] DEFAULT '{}'::text[] NOT NULL,
	"step_up_session_id" uuid,
	"step_up_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "user_mfa_pkey" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
ALTER TABLE "tenants" ADD COLUMN "suspended_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "tenants" ADD COLUMN "suspension_reason" text;--> statement-breakpoint
ALTER TABLE "user_mfa" ADD CONSTRAINT "user_mfa_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "user_mfa" ADD CONSTRAINT "user_mfa_user_fk" FOREIGN KEY ("tenant_id","user_id") REFERENCES "public"."users"("tenant_id","id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "user_mfa_tenant_user_key" ON "user_mfa" USING btree ("tenant_id","user_id");--> statement-breakpoint
CREATE INDEX "users_tenant_last_sign_in_idx" ON "users" USING btree ("tenant_id","last_sign_in_at");--> statement-breakpoint
ALTER TABLE "sessions" ADD COLUMN "impersonator_name" text;
--> statement-breakpoint
SELECT haven_secure_table('user_mfa', 'secret,recovery_codes');
--> statement-breakpoint
-- An impersonation session can end early but never last longer than it was granted: better-auth refreshes a
-- session's expiry once a day, which would otherwise turn a 30-minute impersonation into a week.
CREATE OR REPLACE FUNCTION haven_sessions_cap_impersonation() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, public, pg_temp
AS $$
BEGIN
  IF OLD.impersonator_id IS NOT NULL THEN
    NEW.expires_at := least(NEW.expires_at, OLD.expires_at);
    NEW.impersonator_id := OLD.impersonator_id;
    NEW.impersonation_reason := OLD.impersonation_reason;
  END IF;
  RETURN NEW;
END
$$;
--> statement-breakpoint
CREATE TRIGGER cap_impersonation BEFORE UPDATE ON sessions FOR EACH ROW EXECUTE FUNCTION haven_sessions_cap_impersonation();
--> statement-breakpoint
-- The end of an impersonation (Stop, sign-out, expiry noticed by the session read, or the person's removal) is a
-- domain event in the tenant's own audit log, whatever code path deleted the session.
CREATE OR REPLACE FUNCTION haven_sessions_impersonation_ended() RETURNS trigger
LANGUAGE plpgsql
SET search_path = pg_catalog, public, pg_temp
AS $$
BEGIN
  IF OLD.impersonator_id IS NULL OR OLD.tenant_id::text = current_setting('app.purging_tenant', true)
     OR public.haven_context_tenant() IS DISTINCT FROM OLD.tenant_id THEN
    RETURN NULL;
  END IF;
  PERFORM haven_audit_event('IMPERSONATION_ENDED', 'sessions', OLD.id, jsonb_build_object(
    'userId', OLD.user_id, 'impersonatorId', OLD.impersonator_id,
    'reason', CASE WHEN OLD.expires_at <= now() THEN 'expired' ELSE 'stopped' END));
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER impersonation_ended AFTER DELETE ON sessions FOR EACH ROW EXECUTE FUNCTION haven_sessions_impersonation_ended();
--> statement-breakpoint
SELECT haven_assign_ownership();
