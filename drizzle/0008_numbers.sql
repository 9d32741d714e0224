CREATE TABLE `number_counters` (
	`org_id` text NOT NULL,
	`kind` text NOT NULL,
	`next` integer NOT NULL,
	PRIMARY KEY(`org_id`, `kind`),
	FOREIGN KEY (`org_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
ALTER TABLE `addresses` ADD `number` integer;--> statement-breakpoint
CREATE UNIQUE INDEX `addresses_org_number_unique` ON `addresses` (`org_id`,`number`);--> statement-breakpoint
ALTER TABLE `sections` ADD `number` integer;--> statement-breakpoint
CREATE UNIQUE INDEX `sections_org_number_unique` ON `sections` (`org_id`,`number`);--> statement-breakpoint
ALTER TABLE `subnets` ADD `number` integer;--> statement-breakpoint
CREATE UNIQUE INDEX `subnets_org_number_unique` ON `subnets` (`org_id`,`number`);--> statement-breakpoint
-- Hand-added (issue 14): existing rows take numbers 1..n per organization in creation order,
-- and each counter starts after the highest number handed out.
UPDATE `sections` SET `number` = `r`.`n` FROM (SELECT `id`, row_number() OVER (PARTITION BY `org_id` ORDER BY `created_at`, `id`) AS `n` FROM `sections`) AS `r` WHERE `sections`.`id` = `r`.`id`;
--> statement-breakpoint
UPDATE `subnets` SET `number` = `r`.`n` FROM (SELECT `id`, row_number() OVER (PARTITION BY `org_id` ORDER BY `created_at`, `id`) AS `n` FROM `subnets`) AS `r` WHERE `subnets`.`id` = `r`.`id`;
--> statement-breakpoint
UPDATE `addresses` SET `number` = `r`.`n` FROM (SELECT `id`, row_number() OVER (PARTITION BY `org_id` ORDER BY `created_at`, `id`) AS `n` FROM `addresses`) AS `r` WHERE `addresses`.`id` = `r`.`id`;
--> statement-breakpoint
INSERT INTO `number_counters` (`org_id`, `kind`, `next`)
SELECT `org_id`, 'section', max(`number`) + 1 FROM `sections` GROUP BY `org_id`
UNION ALL SELECT `org_id`, 'subnet', max(`number`) + 1 FROM `subnets` GROUP BY `org_id`
UNION ALL SELECT `org_id`, 'address', max(`number`) + 1 FROM `addresses` GROUP BY `org_id`;
--> statement-breakpoint
-- Every insert path (API, bulk, import, split, and any added later) takes its number here, in
-- its own transaction. A row that arrives with a number (ipcraft copy) keeps it. SQLite drops a
-- table's triggers with the table: a future migration that rebuilds one of these three tables
-- must create its trigger again (test/store/numbers-upgrade.test.ts inserts after migrating).
CREATE TRIGGER `sections_number` AFTER INSERT ON `sections` FOR EACH ROW WHEN NEW.`number` IS NULL BEGIN
  INSERT INTO `number_counters` (`org_id`, `kind`, `next`) VALUES (NEW.`org_id`, 'section', 2)
    ON CONFLICT (`org_id`, `kind`) DO UPDATE SET `next` = `next` + 1;
  UPDATE `sections` SET `number` = (SELECT `next` - 1 FROM `number_counters` WHERE `org_id` = NEW.`org_id` AND `kind` = 'section') WHERE `rowid` = NEW.`rowid`;
END;
--> statement-breakpoint
CREATE TRIGGER `subnets_number` AFTER INSERT ON `subnets` FOR EACH ROW WHEN NEW.`number` IS NULL BEGIN
  INSERT INTO `number_counters` (`org_id`, `kind`, `next`) VALUES (NEW.`org_id`, 'subnet', 2)
    ON CONFLICT (`org_id`, `kind`) DO UPDATE SET `next` = `next` + 1;
  UPDATE `subnets` SET `number` = (SELECT `next` - 1 FROM `number_counters` WHERE `org_id` = NEW.`org_id` AND `kind` = 'subnet') WHERE `rowid` = NEW.`rowid`;
END;
--> statement-breakpoint
CREATE TRIGGER `addresses_number` AFTER INSERT ON `addresses` FOR EACH ROW WHEN NEW.`number` IS NULL BEGIN
  INSERT INTO `number_counters` (`org_id`, `kind`, `next`) VALUES (NEW.`org_id`, 'address', 2)
    ON CONFLICT (`org_id`, `kind`) DO UPDATE SET `next` = `next` + 1;
  UPDATE `addresses` SET `number` = (SELECT `next` - 1 FROM `number_counters` WHERE `org_id` = NEW.`org_id` AND `kind` = 'address') WHERE `rowid` = NEW.`rowid`;
END;
