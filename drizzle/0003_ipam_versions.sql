CREATE TABLE `ipam_versions` (
	`org_id` text PRIMARY KEY NOT NULL,
	`version` integer NOT NULL,
	FOREIGN KEY (`org_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
-- Hand-added: organizations that already hold subnets start at version 1, so that memory
-- (version 0 for a missing row) notices when another process deletes them.
INSERT INTO `ipam_versions` (`org_id`, `version`) SELECT DISTINCT `org_id`, 1 FROM `subnets`;
