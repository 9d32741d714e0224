import { defineConfig } from "drizzle-kit";

/** The PostgreSQL twin of drizzle.config.ts: `bun run db:generate:pg` writes drizzle/pg/. */
export default defineConfig({
  dialect: "postgresql",
  schema: "./src/store/pg/schema.ts",
  out: "./drizzle/pg",
});
