-- Who granted a role and when (issue 12): the role page lists holders with both. The app sets assigned_by_id on
-- every grant it makes (an invitation's role is granted by the inviter). Links made before this migration keep
-- assigned_at null (readers fall back to created_at), so no existing row is rewritten and no audit row is written.
ALTER TABLE "user_roles" ADD COLUMN "assigned_by_id" uuid;--> statement-breakpoint
ALTER TABLE "user_roles" ADD COLUMN "assigned_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "user_roles" ALTER COLUMN "assigned_at" SET DEFAULT now();--> statement-breakpoint
-- The Users page lists a workspace's pending invitations, newest first.
CREATE INDEX "invitations_tenant_pending_created_idx" ON "invitations" USING btree ("tenant_id","created_at") WHERE status = 'pending';
