/** The phpIPAM-compatible subset on SQLite (the suite: suite.ts). */
import { describe } from "bun:test";
import { BACKENDS } from "../store/contract/backends";
import { phpipamSuite } from "./suite";

describe("phpIPAM API on SQLite", () => phpipamSuite(BACKENDS.find((b) => b.name === "sqlite")!));
