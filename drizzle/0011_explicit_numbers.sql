-- Subnets and addresses take their integer `number` in the inserting code, n at a time
-- (src/store/sqlite/numbers.ts): on SQLite an AFTER INSERT trigger costs every row even when
-- its WHEN clause is false. Sections keep theirs (few rows). PostgreSQL keeps its BEFORE
-- INSERT triggers (they set NEW.number without a second write).
DROP TRIGGER IF EXISTS `addresses_number`;
--> statement-breakpoint
DROP TRIGGER IF EXISTS `subnets_number`;
