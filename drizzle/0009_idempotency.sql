CREATE TABLE `idempotency_keys` (
	`org_id` text NOT NULL,
	`key` text NOT NULL,
	`request_hash` text NOT NULL,
	`status` integer NOT NULL,
	`response` text NOT NULL,
	`state` text NOT NULL,
	`created_at` text NOT NULL,
	PRIMARY KEY(`org_id`, `key`),
	FOREIGN KEY (`org_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `idempotency_keys_created_idx` ON `idempotency_keys` (`created_at`);--> statement-breakpoint
CREATE INDEX `addresses_subnet_hostname_idx` ON `addresses` (`subnet_id`,`hostname`) WHERE hostname <> '';--> statement-breakpoint
CREATE INDEX `addresses_subnet_mac_idx` ON `addresses` (`subnet_id`,`mac`) WHERE mac IS NOT NULL;
