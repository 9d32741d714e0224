ALTER TABLE "addresses" ADD COLUMN "expires_at" timestamp (3) with time zone;--> statement-breakpoint
ALTER TABLE "subnet_changes" ADD COLUMN "expires_at" timestamp (3) with time zone;--> statement-breakpoint
CREATE INDEX "addresses_expires_idx" ON "addresses" USING btree ("expires_at") WHERE expires_at IS NOT NULL;
