CREATE TABLE "ipam_versions" (
	"org_id" text PRIMARY KEY NOT NULL,
	"version" integer NOT NULL
);
--> statement-breakpoint
ALTER TABLE "ipam_versions" ADD CONSTRAINT "ipam_versions_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
-- Hand-added: ipam_versions is a tenant table (see 0001_row_level_security.sql for the rules).
ALTER TABLE "ipam_versions" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "ipam_versions" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "ipam_versions"
  USING ("org_id" = current_setting('app.org_id', true))
  WITH CHECK ("org_id" = current_setting('app.org_id', true));
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON "ipam_versions" TO ipcraft_app;
