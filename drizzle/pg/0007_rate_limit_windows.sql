CREATE TABLE "rate_limit_windows" (
	"org_id" text NOT NULL,
	"window_start" bigint NOT NULL,
	"hits" integer NOT NULL,
	"granted" integer NOT NULL,
	CONSTRAINT "rate_limit_windows_org_id_window_start_pk" PRIMARY KEY("org_id","window_start")
);
--> statement-breakpoint
ALTER TABLE "rate_limit_windows" ADD CONSTRAINT "rate_limit_windows_org_id_organizations_id_fk" FOREIGN KEY ("org_id") REFERENCES "public"."organizations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
-- Hand-added: rate_limit_windows is a tenant table (see 0001_row_level_security.sql for the
-- rules); the server counts an organization's requests in that organization's own scope.
ALTER TABLE "rate_limit_windows" ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE "rate_limit_windows" FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY "tenant_isolation" ON "rate_limit_windows"
  USING ("org_id" = current_setting('app.org_id', true))
  WITH CHECK ("org_id" = current_setting('app.org_id', true));
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON "rate_limit_windows" TO ipcraft_app;
