/**
 * Loaded before every test file (bunfig.toml [test] preload). An afterAll in a preload runs
 * once, after the whole run: it removes the run's temporary folders (see tmp.ts).
 */
import { afterAll } from "bun:test";
import { removeTempDirs } from "./tmp";

afterAll(removeTempDirs);
