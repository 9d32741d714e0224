CREATE TABLE `ipam_changes` (
	`org_id` text NOT NULL,
	`version` integer NOT NULL,
	`changes` text,
	PRIMARY KEY(`org_id`, `version`),
	FOREIGN KEY (`org_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE cascade
) WITHOUT ROWID;
