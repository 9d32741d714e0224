/**
 * Fresh temporary folders. They live under one folder per process, removed when the process
 * exits and, under `bun test` (whose process runs no exit hooks), by the suite-wide afterAll in
 * test/helpers/cleanup.preload.ts: left behind, a full run's databases and CSV files came to
 * gigabytes in /tmp per run.
 */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** Every folder tempDir() makes in this process is inside this one. */
export const TEMP_ROOT = join(tmpdir(), `ipcraft-tests-${process.pid}`);

/** Removes every folder tempDir() made in this process. */
export function removeTempDirs(): void {
  rmSync(TEMP_ROOT, { recursive: true, force: true });
}

process.on("exit", removeTempDirs);

export function tempDir(label = "ipcraft-test"): string {
  mkdirSync(TEMP_ROOT, { recursive: true });
  return mkdtempSync(join(TEMP_ROOT, `${label}-`));
}
