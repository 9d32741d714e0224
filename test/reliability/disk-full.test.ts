/**
 * Disk full under the real binary: allocations were generic 500s while /healthz said
 * "db": "ok". The database lives on a small tmpfs that a filler file fills up. Mounting
 * needs root (CI runs as root); where it is refused, test/db/storage-full.test.ts covers the
 * same code path in-process with SQLite's own SQLITE_FULL (PRAGMA max_page_count).
 */
import { afterAll, describe, expect, test } from "bun:test";
import { closeSync, openSync, rmSync, writeSync } from "node:fs";
import { join } from "node:path";
import { openDatabase } from "../../src/db/client";
import { createTenant } from "../helpers/tenant";
import { tempDir } from "../helpers/tmp";
import { allAddresses, api, killLeftovers, startChild } from "./child-server";

const mounts: string[] = [];
afterAll(async () => {
  await killLeftovers();
  for (const dir of mounts) Bun.spawnSync(["umount", "-l", dir]);
});

/** A fresh 8 MB tmpfs, or null when this machine does not let us mount one. */
function smallDisk(): string | null {
  const dir = tempDir("ipcraft-tmpfs");
  if (Bun.spawnSync(["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", dir], { stderr: "ignore" }).exitCode !== 0) return null;
  mounts.push(dir);
  return dir;
}

/** Writes zeros into `file` until the disk refuses (ENOSPC). */
function fill(file: string): void {
  const fd = openSync(file, "w");
  const chunk = Buffer.alloc(64 * 1024);
  try {
    for (;;) writeSync(fd, chunk);
  } catch (error) {
    if ((error as { code?: string }).code !== "ENOSPC") throw error;
  } finally {
    closeSync(fd);
  }
}

const disk = smallDisk();

describe("a full disk under a running server", () => {
  test.if(disk !== null)("507 storage_full naming the file, /healthz reports it, recovery when space returns, nothing acknowledged lost", async () => {
    const db = join(disk!, "ipcraft.db");
    const database = openDatabase(db);
    const tenant = createTenant(database);
    database.close();
    const server = await startChild(disk!, db);
    const subnet = await api(server.url, tenant, "POST", "/subnets", { cidr: "10.60.0.0/16" });
    expect(subnet.status).toBe(201);

    fill(join(disk!, "filler"));
    const statuses: number[] = [];
    const acked: string[] = [];
    let refusal: any;
    for (let i = 0; i < 5000 && !refusal; i++) {
      const r = await api(server.url, tenant, "POST", `/subnets/${subnet.body.id}/addresses`, { description: "z".repeat(500) });
      statuses.push(r.status);
      if (r.status === 201) acked.push(r.body.ip);
      else if (r.status === 507) refusal = r.body;
    }
    expect(statuses.filter((s) => s !== 201 && s !== 507)).toEqual([]);
    expect(refusal).toEqual({ error: expect.stringContaining(`the disk holding the database ${db} is full`), code: "storage_full" });
    const health = await fetch(`${server.url}/healthz`);
    expect(health.status).toBe(503);
    expect(await health.json()).toMatchObject({ db: "error", storage: { status: "full" } });
    expect((await api(server.url, tenant, "GET", `/subnets/${subnet.body.id}`)).status).toBe(200);

    rmSync(join(disk!, "filler"));
    const healthy = await fetch(`${server.url}/healthz`);
    expect(healthy.status).toBe(200);
    const again = await api(server.url, tenant, "POST", `/subnets/${subnet.body.id}/addresses`, {});
    expect(again.status).toBe(201);
    acked.push(again.body.ip);

    expect(await server.stop()).toBe(0);
    const restarted = await startChild(disk!, db);
    const stored = (await allAddresses(restarted.url, tenant, subnet.body.id)).map((a) => a.ip);
    expect(stored).toEqual(acked);
    expect(await restarted.stop()).toBe(0);
  }, 120_000);
});
