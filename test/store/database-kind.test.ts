/**
 * `--db` names either a SQLite file or a PostgreSQL server. Only the recognition is tested
 * here: serve still opens SQLite whatever `--db` says until the store split lands.
 */
import { describe, expect, test } from "bun:test";
import { ConfigError, databaseKind } from "../../src/config";

describe("databaseKind", () => {
  test("file paths, including the default and :memory:, are SQLite", () => {
    for (const db of ["./ipcraft.db", "ipcraft.db", "/var/lib/ipcraft/ipcraft.db", ":memory:", "data/postgres.db", "postgres"]) {
      expect({ db, kind: databaseKind(db) }).toEqual({ db, kind: "sqlite" });
    }
  });

  test("postgres:// and postgresql:// URLs, any letter case, are PostgreSQL", () => {
    for (const db of [
      "postgres://ipcraft:secret@db.example.org:5432/ipcraft",
      "postgresql://ipcraft@localhost/ipcraft?sslmode=require",
      "POSTGRES://u@h/d",
      "postgres://postgres@localhost:5432/postgres?host=/tmp/ipcraft-pg-x",
    ]) {
      expect({ db, kind: databaseKind(db) }).toEqual({ db, kind: "postgres" });
    }
  });

  test("another scheme is refused with a one-line message that does not repeat the password", () => {
    for (const db of ["mysql://root:hunter2@db/ipcraft", "sqlite://ipcraft.db", "https://user:hunter2@example.org/db"]) {
      let error: unknown;
      try {
        databaseKind(db);
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toStartWith("--db must be a SQLite file path or a postgres:// URL");
      expect((error as Error).message).not.toContain("hunter2");
    }
  });

  test("a malformed postgres URL is refused without echoing it", () => {
    expect(() => databaseKind("postgres://user:hunter2@[bad/db")).toThrow(ConfigError);
    try {
      databaseKind("postgres://user:hunter2@[bad/db");
    } catch (e) {
      expect((e as Error).message).not.toContain("hunter2");
    }
  });
});
