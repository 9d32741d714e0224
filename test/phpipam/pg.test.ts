/** The phpIPAM-compatible subset on PostgreSQL, under row-level security (the suite: suite.ts). */
import { describe } from "bun:test";
import { usePgCluster } from "../helpers/pg";
import { BACKENDS } from "../store/contract/backends";
import { phpipamSuite } from "./suite";

usePgCluster();

describe("phpIPAM API on PostgreSQL", () => phpipamSuite(BACKENDS.find((b) => b.name === "postgres")!));
