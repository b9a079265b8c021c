-- Issue 9 follow-ups (decisions 015 and 022).
--
-- Each tenant's figures for the console's tenants list, kept by the server's scheduled job instead of counted per
-- request: sorting 1,000 tenants of 100,000 people by a figure is then an index scan. A tenant table like any other
-- (distributed by tenant_id on Citus, co-located with the rows it counts), secured by haven_secure_table; the tenant
-- role may only read its own row (numbers it can count itself), the console writes them.
CREATE TABLE "tenant_figures" (
	"id" uuid DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"people" integer DEFAULT 0 NOT NULL,
	"active_30d" integer DEFAULT 0 NOT NULL,
	"categories" integer DEFAULT 0 NOT NULL,
	"events_30d" integer DEFAULT 0 NOT NULL,
	"last_activity" timestamp with time zone DEFAULT now() NOT NULL,
	"refreshed_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "tenant_figures_pkey" PRIMARY KEY("tenant_id","id")
);
--> statement-breakpoint
ALTER TABLE "tenant_figures" ADD CONSTRAINT "tenant_figures_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "tenant_figures_tenant_key" ON "tenant_figures" USING btree ("tenant_id");--> statement-breakpoint
CREATE INDEX "tenant_figures_people_idx" ON "tenant_figures" USING btree ("people","tenant_id");--> statement-breakpoint
CREATE INDEX "tenant_figures_active_30d_idx" ON "tenant_figures" USING btree ("active_30d","tenant_id");--> statement-breakpoint
CREATE INDEX "tenant_figures_categories_idx" ON "tenant_figures" USING btree ("categories","tenant_id");--> statement-breakpoint
CREATE INDEX "tenant_figures_events_30d_idx" ON "tenant_figures" USING btree ("events_30d","tenant_id");--> statement-breakpoint
CREATE INDEX "tenant_figures_last_activity_idx" ON "tenant_figures" USING btree ("last_activity","tenant_id");--> statement-breakpoint
CREATE INDEX "tenant_figures_refreshed_idx" ON "tenant_figures" USING btree ("refreshed_at","tenant_id");
--> statement-breakpoint
SELECT haven_secure_table('tenant_figures');
--> statement-breakpoint
-- Derived from users, categories and audit_log: an audit row per refresh would itself count as activity and make
-- every tenant look changed at every run. No updated_at either (refreshed_at says when).
DROP TRIGGER audit_row ON tenant_figures;
--> statement-breakpoint
DROP TRIGGER set_updated_at ON tenant_figures;
--> statement-breakpoint
REVOKE INSERT, UPDATE, DELETE ON tenant_figures FROM haven_tenant;
--> statement-breakpoint
-- Every tenant starts with its figures (the list joins them); one grouped pass per table, which Citus also plans.
INSERT INTO tenant_figures (tenant_id, people, active_30d, categories, events_30d, last_activity, refreshed_at)
SELECT t.id, coalesce(u.people, 0), coalesce(u.active, 0), coalesce(c.n, 0), coalesce(a.recent, 0),
       coalesce(a.latest, t.created_at), now()
  FROM tenants t
  LEFT JOIN (SELECT tenant_id, count(*) AS people,
                    count(*) FILTER (WHERE last_sign_in_at > now() - interval '30 days') AS active
               FROM users WHERE NOT is_deleted GROUP BY tenant_id) u ON u.tenant_id = t.id
  LEFT JOIN (SELECT tenant_id, count(*) AS n FROM categories WHERE NOT is_deleted GROUP BY tenant_id) c ON c.tenant_id = t.id
  LEFT JOIN (SELECT tenant_id, count(*) FILTER (WHERE created_at > now() - interval '30 days') AS recent,
                    max(created_at) AS latest
               FROM audit_log GROUP BY tenant_id) a ON a.tenant_id = t.id;
--> statement-breakpoint
-- A step-up belongs to the session it was entered in: kept on user_mfa (one session id and time per person), a step-up
-- in a second session cancelled the first one's. Step-ups last ten minutes, so the running ones are not carried over.
ALTER TABLE "sessions" ADD COLUMN "step_up_at" timestamp with time zone;
--> statement-breakpoint
ALTER TABLE "user_mfa" DROP COLUMN "step_up_session_id";
--> statement-breakpoint
ALTER TABLE "user_mfa" DROP COLUMN "step_up_at";
--> statement-breakpoint
SELECT haven_assign_ownership();
