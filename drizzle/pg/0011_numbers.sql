CREATE TABLE "number_counters" (
	"org_id" text NOT NULL,
	"kind" text NOT NULL,
	"next" integer NOT NULL,
	CONSTRAINT "number_counters_org_id_kind_pk" PRIMARY KEY("org_id","kind")
);
--> statement-breakpoint
ALTER TABLE "addresses" ADD COLUMN "number" integer;--> statement-breakpoint
ALTER TABLE "sections" ADD COLUMN "number" integer;--> statement-breakpoint
ALTER TABLE "subnets" ADD COLUMN "number" integer;--> statement-breakpoint
ALTER TABLE "number_counters" ADD CONSTRAINT "number_counters_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "addresses_org_number_unique" ON "addresses" USING btree ("org_id","number");--> statement-breakpoint
CREATE UNIQUE INDEX "sections_org_number_unique" ON "sections" USING btree ("org_id","number");--> statement-breakpoint
CREATE UNIQUE INDEX "subnets_org_number_unique" ON "subnets" USING btree ("org_id","number");--> statement-breakpoint
-- Hand-added (issue 14): existing rows take numbers 1..n per organization in creation order, and
-- each counter starts after the highest one. The owner sees under FORCE row-level security only
-- what app.org_id admits (0001): it lifts FORCE on the tables it backfills for these statements,
-- inside the migration's transaction.
ALTER TABLE "sections" NO FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "subnets" NO FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "addresses" NO FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
UPDATE "sections" SET "number" = "r"."n" FROM (SELECT "id", row_number() OVER (PARTITION BY "org_id" ORDER BY "created_at", "id") AS "n" FROM "sections") AS "r" WHERE "sections"."id" = "r"."id";
--> statement-breakpoint
UPDATE "subnets" SET "number" = "r"."n" FROM (SELECT "id", row_number() OVER (PARTITION BY "org_id" ORDER BY "created_at", "id") AS "n" FROM "subnets") AS "r" WHERE "subnets"."id" = "r"."id";
--> statement-breakpoint
UPDATE "addresses" SET "number" = "r"."n" FROM (SELECT "id", row_number() OVER (PARTITION BY "org_id" ORDER BY "created_at", "id") AS "n" FROM "addresses") AS "r" WHERE "addresses"."id" = "r"."id";
--> statement-breakpoint
INSERT INTO "number_counters" ("org_id", "kind", "next")
SELECT "org_id", 'section', max("number") + 1 FROM "sections" GROUP BY "org_id"
UNION ALL SELECT "org_id", 'subnet', max("number") + 1 FROM "subnets" GROUP BY "org_id"
UNION ALL SELECT "org_id", 'address', max("number") + 1 FROM "addresses" GROUP BY "org_id";
--> statement-breakpoint
ALTER TABLE "sections" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "subnets" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "addresses" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
-- number_counters is a tenant table (see 0001_row_level_security.sql for the rules).
ALTER TABLE "number_counters" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "number_counters" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "number_counters"
  USING ("org_id" = current_setting('app.org_id', true))
  WITH CHECK ("org_id" = current_setting('app.org_id', true));
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON "number_counters" TO ipcraft_app;
--> statement-breakpoint
-- Every insert path takes its number here, in its own transaction (the counter row stays locked
-- to COMMIT, as event_counters' does). A row that arrives with a number (ipcraft copy) keeps it.
-- SECURITY INVOKER (the default): the counter row is written under the caller's app.org_id.
CREATE FUNCTION "ipcraft_assign_number"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW."number" IS NULL THEN
    INSERT INTO "number_counters" AS "c" ("org_id", "kind", "next") VALUES (NEW."org_id", TG_ARGV[0], 2)
      ON CONFLICT ("org_id", "kind") DO UPDATE SET "next" = "c"."next" + 1
      RETURNING "c"."next" - 1 INTO NEW."number";
  END IF;
  RETURN NEW;
END
$$;
--> statement-breakpoint
CREATE TRIGGER "sections_number" BEFORE INSERT ON "sections" FOR EACH ROW EXECUTE FUNCTION "ipcraft_assign_number"('section');
--> statement-breakpoint
CREATE TRIGGER "subnets_number" BEFORE INSERT ON "subnets" FOR EACH ROW EXECUTE FUNCTION "ipcraft_assign_number"('subnet');
--> statement-breakpoint
CREATE TRIGGER "addresses_number" BEFORE INSERT ON "addresses" FOR EACH ROW EXECUTE FUNCTION "ipcraft_assign_number"('address');
