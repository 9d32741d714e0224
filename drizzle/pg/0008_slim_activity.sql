-- A slimmer activity write (issue 16): the feed's key (org_id, at, id) becomes the primary key,
-- replacing both the primary key on "id" alone and "activity_org_at_idx" (same columns).
-- One index less per row; nothing in the rows changes. "activity_pkey" is PostgreSQL's name
-- for the primary key that 0000_foundation.sql declared on "id".
DROP INDEX "activity_org_at_idx";--> statement-breakpoint
ALTER TABLE "activity" DROP CONSTRAINT "activity_pkey";--> statement-breakpoint
ALTER TABLE "activity" ADD CONSTRAINT "activity_pk" PRIMARY KEY("org_id","at","id");
