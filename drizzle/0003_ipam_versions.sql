CREATE TABLE `ipam_versions` (
	`org_id` text PRIMARY KEY NOT NULL,
	`version` integer NOT NULL,
	FOREIGN KEY (`org_id`) REFERENCES `organizations`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
-- Hand-added (drizzle-kit does not model triggers). Every change to an organization's subnets
-- or addresses that the in-memory registry depends on bumps ipam_versions in the same
-- transaction, whoever writes: the server, the CLI, an import Worker, raw SQL
-- (src/ipam/registry.ts). A subnet's insert or update creates the row when missing (the
-- seed below covers organizations that already hold subnets), so address triggers, the hot
-- ones, only update. Deletes only update too: during an organization's ON DELETE CASCADE
-- its row may already be gone.
-- Organizations that already hold subnets start at version 1 (memory holds 0 for a missing row).
INSERT INTO `ipam_versions` (`org_id`, `version`) SELECT DISTINCT `org_id`, 1 FROM `subnets`;
--> statement-breakpoint
CREATE TRIGGER `subnets_ipam_version_insert` AFTER INSERT ON `subnets` BEGIN
  INSERT INTO `ipam_versions` (`org_id`, `version`) VALUES (NEW.`org_id`, 1)
    ON CONFLICT (`org_id`) DO UPDATE SET `version` = `version` + 1;
END;
--> statement-breakpoint
CREATE TRIGGER `subnets_ipam_version_update` AFTER UPDATE OF `id`, `org_id`, `vrf`, `family`, `network_key`, `prefix_length` ON `subnets` BEGIN
  INSERT INTO `ipam_versions` (`org_id`, `version`) VALUES (NEW.`org_id`, 1)
    ON CONFLICT (`org_id`) DO UPDATE SET `version` = `version` + 1;
  UPDATE `ipam_versions` SET `version` = `version` + 1 WHERE `org_id` = OLD.`org_id` AND OLD.`org_id` <> NEW.`org_id`;
END;
--> statement-breakpoint
CREATE TRIGGER `subnets_ipam_version_delete` AFTER DELETE ON `subnets` BEGIN
  UPDATE `ipam_versions` SET `version` = `version` + 1 WHERE `org_id` = OLD.`org_id`;
END;
--> statement-breakpoint
CREATE TRIGGER `addresses_ipam_version_insert` AFTER INSERT ON `addresses` BEGIN
  UPDATE `ipam_versions` SET `version` = `version` + 1 WHERE `org_id` = NEW.`org_id`;
END;
--> statement-breakpoint
CREATE TRIGGER `addresses_ipam_version_update` AFTER UPDATE OF `org_id`, `subnet_id`, `vrf`, `ip_key` ON `addresses` BEGIN
  UPDATE `ipam_versions` SET `version` = `version` + 1 WHERE `org_id` IN (OLD.`org_id`, NEW.`org_id`);
END;
--> statement-breakpoint
CREATE TRIGGER `addresses_ipam_version_delete` AFTER DELETE ON `addresses` BEGIN
  UPDATE `ipam_versions` SET `version` = `version` + 1 WHERE `org_id` = OLD.`org_id`;
END;
