-- The change feed moves into the activity log (issue 13/16): every activity entry already had
-- exactly one feed row, written in the same transaction with the same timestamp, so the feed
-- becomes a column (`seq`) and an index of the log instead of a second copy of each entry.
-- One row less per allocation, per expiry and per bulk address.
ALTER TABLE `activity` ADD `seq` integer;
--> statement-breakpoint
-- Hand-added: each kept feed row gives its seq and its id to its activity entry (receivers
-- dedupe webhook deliveries and feed items by the event id: an event keeps its id). They pair
-- on what both rows were written with (organization, timestamp, action, target), the k-th of
-- a tie with the k-th (entries and their events were written in the same order).
UPDATE `activity` SET `seq` = `m`.`seq`, `id` = `m`.`event_id` FROM (
  SELECT `a`.`org_id`, `a`.`at`, `a`.`id`, `e`.`seq`, `e`.`event_id` FROM
    (SELECT `org_id`, `at`, `id`, `action`, `target_id`,
            row_number() OVER (PARTITION BY `org_id`, `at`, `action`, `target_id` ORDER BY `id`) AS `k`
       FROM `activity`) AS `a`
    JOIN
    (SELECT `org_id`, `seq`, `at`, json_extract(`payload`, '$.id') AS `event_id`, json_extract(`payload`, '$.type') AS `action`, json_extract(`payload`, '$.target.id') AS `target_id`,
            row_number() OVER (PARTITION BY `org_id`, `at`, json_extract(`payload`, '$.type'), json_extract(`payload`, '$.target.id') ORDER BY `seq`) AS `k`
       FROM `events`) AS `e`
    ON `e`.`org_id` = `a`.`org_id` AND `e`.`at` = `a`.`at` AND `e`.`action` = `a`.`action` AND `e`.`target_id` IS `a`.`target_id` AND `e`.`k` = `a`.`k`
) AS `m`
WHERE `activity`.`org_id` = `m`.`org_id` AND `activity`.`at` = `m`.`at` AND `activity`.`id` = `m`.`id`;
--> statement-breakpoint
CREATE UNIQUE INDEX `activity_seq_idx` ON `activity` (`org_id`,`seq`);
--> statement-breakpoint
-- A kept feed row whose entry the log's retention already removed cannot come back: the feed
-- starts after the highest such seq (entries at or below it lose theirs), so a cursor behind
-- it answers 410 cursor_expired, as after any pruning, instead of skipping a hole unnoticed.
UPDATE `activity` SET `seq` = NULL FROM (
  SELECT `e`.`org_id`, max(`e`.`seq`) AS `upto` FROM `events` AS `e`
   WHERE NOT EXISTS (SELECT 1 FROM `activity` AS `a` WHERE `a`.`org_id` = `e`.`org_id` AND `a`.`seq` = `e`.`seq`)
   GROUP BY `e`.`org_id`
) AS `g`
WHERE `activity`.`org_id` = `g`.`org_id` AND `activity`.`seq` <= `g`.`upto`;
--> statement-breakpoint
DROP TABLE `events`;
