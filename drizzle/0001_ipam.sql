CREATE TABLE `activity` (
	`id` text PRIMARY KEY NOT NULL,
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
	FOREIGN KEY (`org_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `activity_org_at_idx` ON `activity` (`org_id`,`at`,`id`);--> statement-breakpoint
CREATE INDEX `activity_target_idx` ON `activity` (`org_id`,`target_id`);--> statement-breakpoint
CREATE TABLE `addresses` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`subnet_id` text NOT NULL,
	`vrf` text NOT NULL,
	`ip` text NOT NULL,
	`ip_key` blob NOT NULL,
	`hostname` text DEFAULT '' NOT NULL,
	`status` text DEFAULT 'assigned' NOT NULL,
	`owner` text DEFAULT '' NOT NULL,
	`mac` text,
	`description` text DEFAULT '' NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	FOREIGN KEY (`org_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`subnet_id`) REFERENCES `subnets`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `addresses_org_vrf_ip_unique` ON `addresses` (`org_id`,`vrf`,`ip_key`);--> statement-breakpoint
CREATE INDEX `addresses_subnet_ip_idx` ON `addresses` (`subnet_id`,`ip_key`);--> statement-breakpoint
CREATE TABLE `sections` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`name` text NOT NULL,
	`name_key` text NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	FOREIGN KEY (`org_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `sections_org_name_unique` ON `sections` (`org_id`,`name_key`);--> statement-breakpoint
CREATE TABLE `subnets` (
	`id` text PRIMARY KEY NOT NULL,
	`org_id` text NOT NULL,
	`section_id` text,
	`parent_id` text,
	`vrf` text DEFAULT 'default' NOT NULL,
	`family` integer NOT NULL,
	`network_key` blob NOT NULL,
	`prefix_length` integer NOT NULL,
	`cidr` text NOT NULL,
	`name` text DEFAULT '' NOT NULL,
	`description` text DEFAULT '' NOT NULL,
	`vlan` integer,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	FOREIGN KEY (`org_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`section_id`) REFERENCES `sections`(`id`) ON UPDATE no action ON DELETE set null,
	FOREIGN KEY (`parent_id`) REFERENCES `subnets`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `subnets_org_vrf_net_unique` ON `subnets` (`org_id`,`vrf`,`family`,`network_key`,`prefix_length`);--> statement-breakpoint
CREATE INDEX `subnets_parent_idx` ON `subnets` (`parent_id`);--> statement-breakpoint
CREATE INDEX `subnets_section_idx` ON `subnets` (`section_id`);