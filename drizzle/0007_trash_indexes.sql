CREATE INDEX "categories_tenant_trash_idx" ON "categories" USING btree ("tenant_id","deleted_at") WHERE is_deleted;--> statement-breakpoint
CREATE INDEX "organizations_tenant_trash_idx" ON "organizations" USING btree ("tenant_id","deleted_at") WHERE is_deleted;--> statement-breakpoint
CREATE INDEX "roles_tenant_trash_idx" ON "roles" USING btree ("tenant_id","deleted_at") WHERE is_deleted;--> statement-breakpoint
CREATE INDEX "teams_tenant_trash_idx" ON "teams" USING btree ("tenant_id","deleted_at") WHERE is_deleted;--> statement-breakpoint
CREATE INDEX "users_tenant_trash_idx" ON "users" USING btree ("tenant_id","deleted_at") WHERE is_deleted;