ALTER TABLE `addresses` ADD `expires_at` text;--> statement-breakpoint
CREATE INDEX `addresses_expires_idx` ON `addresses` (`expires_at`) WHERE expires_at IS NOT NULL;
