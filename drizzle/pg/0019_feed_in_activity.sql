-- The change feed moves into the activity log (the twin of drizzle/0012_feed_in_activity.sql):
-- `seq` becomes a column and an index of the log instead of a second copy of each entry.
ALTER TABLE "activity" ADD COLUMN "seq" bigint;
--> statement-breakpoint
-- Hand-added: each kept feed row gives its seq to its activity entry, paired on organization,
-- timestamp, action and target, the k-th of a tie with the k-th. A feed row whose entry was
-- already pruned goes with the table (the feed's oldest seq moves up, as after any pruning).
-- The owner sees under FORCE row-level security only what app.org_id admits (0001): FORCE is
-- lifted on the two tables for this statement, inside the migration's transaction.
ALTER TABLE "activity" NO FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "events" NO FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
UPDATE "activity" SET "seq" = "m"."seq" FROM (
  SELECT "a"."org_id", "a"."at", "a"."id", "e"."seq" FROM
    (SELECT "org_id", "at", "id", "action", "target_id",
            row_number() OVER (PARTITION BY "org_id", "at", "action", "target_id" ORDER BY "id" COLLATE "C") AS "k"
       FROM "activity") AS "a"
    JOIN
    (SELECT "org_id", "seq", "at", ("payload"::jsonb)->>'type' AS "action", ("payload"::jsonb)#>>'{target,id}' AS "target_id",
            row_number() OVER (PARTITION BY "org_id", "at", ("payload"::jsonb)->>'type', ("payload"::jsonb)#>>'{target,id}' ORDER BY "seq") AS "k"
       FROM "events") AS "e"
    ON "e"."org_id" = "a"."org_id" AND "e"."at" = "a"."at" AND "e"."action" = "a"."action"
       AND "e"."target_id" IS NOT DISTINCT FROM "a"."target_id" AND "e"."k" = "a"."k"
) AS "m"
WHERE "activity"."org_id" = "m"."org_id" AND "activity"."at" = "m"."at" AND "activity"."id" = "m"."id";
--> statement-breakpoint
ALTER TABLE "activity" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE UNIQUE INDEX "activity_seq_idx" ON "activity" USING btree ("org_id","seq");
--> statement-breakpoint
DROP TABLE "events" CASCADE;
