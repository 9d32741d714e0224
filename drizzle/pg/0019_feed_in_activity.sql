-- The change feed moves into the activity log (the twin of drizzle/0012_feed_in_activity.sql):
-- `seq` becomes a column and an index of the log instead of a second copy of each entry.
ALTER TABLE "activity" ADD COLUMN "seq" bigint;
--> statement-breakpoint
-- Hand-added: each kept feed row gives its seq and its id to its activity entry (receivers
-- dedupe by the event id: an event keeps its id), paired on organization, timestamp, action
-- and target, the k-th of a tie with the k-th.
-- The owner sees under FORCE row-level security only what app.org_id admits (0001): FORCE is
-- lifted on the two tables for these statements, inside the migration's transaction.
ALTER TABLE "activity" NO FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "events" NO FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
UPDATE "activity" SET "seq" = "m"."seq", "id" = "m"."event_id" FROM (
  SELECT "a"."org_id", "a"."at", "a"."id", "e"."seq", "e"."event_id" FROM
    (SELECT "org_id", "at", "id", "action", "target_id",
            row_number() OVER (PARTITION BY "org_id", "at", "action", "target_id" ORDER BY "id" COLLATE "C") AS "k"
       FROM "activity") AS "a"
    JOIN
    (SELECT "org_id", "seq", "at", ("payload"::jsonb)->>'id' AS "event_id", ("payload"::jsonb)->>'type' AS "action", ("payload"::jsonb)#>>'{target,id}' AS "target_id",
            row_number() OVER (PARTITION BY "org_id", "at", ("payload"::jsonb)->>'type', ("payload"::jsonb)#>>'{target,id}' ORDER BY "seq") AS "k"
       FROM "events") AS "e"
    ON "e"."org_id" = "a"."org_id" AND "e"."at" = "a"."at" AND "e"."action" = "a"."action"
       AND "e"."target_id" IS NOT DISTINCT FROM "a"."target_id" AND "e"."k" = "a"."k"
) AS "m"
WHERE "activity"."org_id" = "m"."org_id" AND "activity"."at" = "m"."at" AND "activity"."id" = "m"."id";
--> statement-breakpoint
CREATE UNIQUE INDEX "activity_seq_idx" ON "activity" USING btree ("org_id","seq");
--> statement-breakpoint
-- A kept feed row whose entry was already pruned cannot come back: the feed starts after the
-- highest such seq (entries at or below it lose theirs), so a cursor behind it answers 410
-- cursor_expired, as after any pruning, instead of skipping a hole unnoticed.
UPDATE "activity" SET "seq" = NULL FROM (
  SELECT "e"."org_id", max("e"."seq") AS "upto" FROM "events" AS "e"
   WHERE NOT EXISTS (SELECT 1 FROM "activity" AS "a" WHERE "a"."org_id" = "e"."org_id" AND "a"."seq" = "e"."seq")
   GROUP BY "e"."org_id"
) AS "g"
WHERE "activity"."org_id" = "g"."org_id" AND "activity"."seq" <= "g"."upto";
--> statement-breakpoint
ALTER TABLE "activity" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
DROP TABLE "events" CASCADE;
