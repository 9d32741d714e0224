CREATE TABLE "idempotency_keys" (
	"org_id" text NOT NULL,
	"key" text NOT NULL,
	"request_hash" text NOT NULL,
	"status" integer NOT NULL,
	"response" text NOT NULL,
	"state" text NOT NULL,
	"created_at" timestamp (3) with time zone NOT NULL,
	CONSTRAINT "idempotency_keys_org_id_key_pk" PRIMARY KEY("org_id","key")
);
--> statement-breakpoint
ALTER TABLE "idempotency_keys" ADD CONSTRAINT "idempotency_keys_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "idempotency_keys_created_idx" ON "idempotency_keys" USING btree ("created_at");--> statement-breakpoint
CREATE INDEX "addresses_subnet_hostname_idx" ON "addresses" USING btree ("subnet_id","hostname") WHERE hostname <> '';--> statement-breakpoint
CREATE INDEX "addresses_subnet_mac_idx" ON "addresses" USING btree ("subnet_id","mac") WHERE mac IS NOT NULL;--> statement-breakpoint
-- Hand-added: idempotency_keys is a tenant table (see 0001_row_level_security.sql for the rules).
ALTER TABLE "idempotency_keys" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "idempotency_keys" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "idempotency_keys"
  USING ("org_id" = current_setting('app.org_id', true))
  WITH CHECK ("org_id" = current_setting('app.org_id', true));
--> statement-breakpoint
-- Pruning (src/store/pg/idempotency.ts) is system work across organizations, like 0009's
-- delivery worker: with `app.maintenance` set to 'idempotency' it may see and delete rows,
-- nothing else; an empty or unset `app.maintenance` matches nothing.
CREATE POLICY "idempotency_prune_read" ON "idempotency_keys" FOR SELECT
  USING (current_setting('app.maintenance', true) = 'idempotency');
--> statement-breakpoint
CREATE POLICY "idempotency_prune" ON "idempotency_keys" FOR DELETE
  USING (current_setting('app.maintenance', true) = 'idempotency');
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON "idempotency_keys" TO ipcraft_app;
