/**
 * CI and people read the suite's verdict from its closing line `N passed, N failed`. It once
 * went missing exactly when it mattered: scripts/test sourced a helper that turned on `set -e`,
 * so a failing `bun test` ended the script before the line was printed. These run scripts/test
 * itself on a fixture (not a *.test.ts file, so the suite never runs it on its own).
 */
import { describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { tempDir } from "../helpers/tmp";

const root = `${import.meta.dir}/../..`;

function runScriptsTest(target: string) {
  const result = Bun.spawnSync(["bash", "scripts/test", target], {
    cwd: root,
    // The suite built the binary already; the fixture needs none.
    env: { ...process.env, IPCRAFT_TEST_SKIP_BUILD: "1" },
    stdout: "pipe",
    stderr: "pipe",
  });
  const lines = result.stdout.toString().trim().split("\n");
  return { exitCode: result.exitCode, lastLine: lines[lines.length - 1] };
}

describe("scripts/test closing line", () => {
  test("a failing test still ends the output with 'N passed, N failed' and a non-zero exit", () => {
    const { exitCode, lastLine } = runScriptsTest("./test/scripts/fixtures/deliberately-fails.ts");
    expect(lastLine).toBe("1 passed, 1 failed");
    expect(exitCode).not.toBe(0);
  });

  test("a test file that cannot even load counts as a failure, with the closing line", () => {
    const dir = tempDir("ipcraft-closing-line");
    const broken = `${dir}/broken.ts`;
    writeFileSync(broken, 'import { test } from "bun:test";\nthrow new Error("cannot load");\ntest("never", () => {});\n');
    const { exitCode, lastLine } = runScriptsTest(broken);
    expect(lastLine).toMatch(/^0 passed, [1-9][0-9]* failed$/);
    expect(exitCode).not.toBe(0);
  });
});
