-- "reuse": "hostname" compares hostnames without regard to ASCII case, as DNS compares names
-- (RFC 4343): the partial index that serves it collates NOCASE (SQLite folds A-Z only, as DNS
-- does), so `hostname = ? COLLATE NOCASE` is an index lookup. The twin of drizzle/pg/0020.
DROP INDEX `addresses_subnet_hostname_idx`;--> statement-breakpoint
CREATE INDEX `addresses_subnet_hostname_idx` ON `addresses` (`subnet_id`,"hostname" COLLATE NOCASE) WHERE hostname <> '';
