CREATE TABLE `vrfs` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`name` text NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	FOREIGN KEY (`org_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `vrfs_org_name_unique` ON `vrfs` (`org_id`,`name`);--> statement-breakpoint
-- Hand-added: every organization gets `default`, plus one VRF per distinct name its subnets
-- already use (so that existing subnets keep naming an existing VRF). Ids are random UUIDs.
INSERT INTO `vrfs` (`id`, `org_id`, `name`, `description`, `created_at`, `updated_at`)
SELECT lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-' ||
             substr('89ab', 1 + (abs(random()) % 4), 1) || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6))),
       `org_id`, `name`, '', strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
  FROM (SELECT `id` AS `org_id`, 'default' AS `name` FROM `organizations`
        UNION SELECT DISTINCT `org_id`, `vrf` FROM `subnets`);
