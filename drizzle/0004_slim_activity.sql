-- A slimmer activity write (issue 16): the feed's key (org_id, at, id) becomes the primary key,
-- replacing both the key on "id" alone and activity_org_at_idx (same columns): one B-tree less
-- per row. A plain rebuild (no column added), every row copied; migrate.ts runs it with
-- foreign keys off (nothing references activity) and checks them afterwards.
PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_activity` (
	`id` text NOT NULL,
	`org_id` text NOT NULL,
	`at` text NOT NULL,
	`actor_type` text NOT NULL,
	`actor_id` text,
	`actor_label` text NOT NULL,
	`action` text NOT NULL,
	`target_type` text NOT NULL,
	`target_id` text,
	`target_label` text DEFAULT '' NOT NULL,
	`changes` text DEFAULT '{}' NOT NULL,
	PRIMARY KEY(`org_id`, `at`, `id`),
	FOREIGN KEY (`org_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
INSERT INTO `__new_activity`("id", "org_id", "at", "actor_type", "actor_id", "actor_label", "action", "target_type", "target_id", "target_label", "changes") SELECT "id", "org_id", "at", "actor_type", "actor_id", "actor_label", "action", "target_type", "target_id", "target_label", "changes" FROM `activity`;--> statement-breakpoint
DROP TABLE `activity`;--> statement-breakpoint
ALTER TABLE `__new_activity` RENAME TO `activity`;--> statement-breakpoint
PRAGMA foreign_keys=ON;--> statement-breakpoint
CREATE INDEX `activity_target_idx` ON `activity` (`org_id`,`target_id`);