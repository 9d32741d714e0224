-- "reuse": "hostname" compares hostnames without regard to ASCII case, as DNS compares names
-- (RFC 4343); the twin of drizzle/0013_hostname_nocase.sql. lower() under the C collation
-- folds A-Z only, as SQLite's NOCASE does, so both databases find the same records.
DROP INDEX "addresses_subnet_hostname_idx";--> statement-breakpoint
CREATE INDEX "addresses_subnet_hostname_idx" ON "addresses" USING btree ("subnet_id",lower("hostname" COLLATE "C")) WHERE hostname <> '';
