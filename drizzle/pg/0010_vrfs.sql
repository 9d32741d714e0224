CREATE TABLE "vrfs" (
	"id" text PRIMARY KEY NOT NULL,
	"org_id" text NOT NULL,
	"name" text NOT NULL,
	"description" text DEFAULT '' NOT NULL,
	"created_at" timestamp (3) with time zone NOT NULL,
	"updated_at" timestamp (3) with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "vrfs" ADD CONSTRAINT "vrfs_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "vrfs_org_name_unique" ON "vrfs" USING btree ("org_id","name");--> statement-breakpoint
-- Hand-added: every organization gets `default`, plus one VRF per distinct name its subnets
-- already use (so that existing subnets keep naming an existing VRF). The owner reads under
-- FORCE row-level security only what app.org_id admits (0001): it lifts FORCE on the two
-- tables it reads for this one statement, inside the migration's transaction.
ALTER TABLE "organizations" NO FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "subnets" NO FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
INSERT INTO "vrfs" ("id", "org_id", "name", "description", "created_at", "updated_at")
SELECT gen_random_uuid()::text, "org_id", "name", '', now(), now()
  FROM (SELECT "id" AS "org_id", 'default' AS "name" FROM "organizations"
        UNION SELECT DISTINCT "org_id", "vrf" FROM "subnets") AS "used";
--> statement-breakpoint
ALTER TABLE "organizations" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "subnets" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
-- vrfs is a tenant table (see 0001_row_level_security.sql for the rules).
ALTER TABLE "vrfs" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "vrfs" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "vrfs"
  USING ("org_id" = current_setting('app.org_id', true))
  WITH CHECK ("org_id" = current_setting('app.org_id', true));
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON "vrfs" TO ipcraft_app;
