/**
 * Importing address records from CSV (columns: ADDRESS_COLUMNS). Each address goes to the
 * most specific subnet of its VRF that contains it, as everywhere else (API.md §6); it must
 * be usable there and free. The whole file is one Store IPAM write (one transaction, on
 * SQLite or PostgreSQL); one activity entry (`address.import`) records the count.
 *
 * Cost per row: a tree lookup (≤ 129 map probes) and one allocator insert, both in memory;
 * rows go to the table in batches of PROGRESS_EVERY (one multi-row INSERT on PostgreSQL,
 * written while the next batch is read; prepared single INSERTs on SQLite, synchronous) — no
 * per-row queries, no allocator rebuilds. Rows are
 * placed as they are read, so the import holds the file's bytes, one batch, and what each
 * row leaves behind (its place in the allocator and one map entry, ~40 bytes), never every
 * row at once.
 */
import { checkPlanAllows } from "../../auth/plans";
import { formatIp, type Ip, isUsable } from "../../ip";
import { keyOf, nowIso } from "../../ipam/codec";
import { Journal } from "../../ipam/journal";
import { AddressInUse } from "../../store/ipam";
import type { NewAddress } from "../addresses/repo";
import { vrfProblem } from "../vrfs/check";
import type { RowError } from "./csv";
import { ADDRESS_COLUMNS, type AddressImportRow, isRowError, readAddressRow } from "./columns";
import { COLLECT_EVERY, deferred, type ImportDeps, importStore, type ImportInput, openCsv, PROGRESS_EVERY, runImport } from "./import-run";

/** What an address import did (or, for a dry run, would do). */
export interface AddressImportResult {
  dry_run: boolean;
  rows: number;
  created: { addresses: number };
}

export function importAddresses(deps: ImportDeps, input: ImportInput): Promise<AddressImportResult> {
  const { orgId } = input;
  const store = importStore(deps);
  const memory = store.ipam.memory;
  const file = openCsv(input.csv, ADDRESS_COLUMNS);
  const { errors, total } = file;

  return runImport(store, input, errors, async (q, journal) => {
    // Checked against the file's row count before the rows, raised after them (bad rows come
    // first); for a clean file that count is exactly the rows created.
    const limit = await deferred(() => checkPlanAllows(q, orgId, "addresses", total));
    const at = nowIso();
    /**
     * vrf → address value → row of every address this file took: names the earlier row of a
     * duplicate, and undoes the takes on rollback. Numbers for IPv4 (no object per row).
     */
    const seen = new Map<string, Map<number | bigint, number>>();
    /** subnets whose allocator took records (PostgreSQL logs one `reload` each, not one change per row) */
    const touched = new Set<string>();
    /** VRF → why a row naming it finds no subnet, when the VRF itself is the problem */
    const vrfProblems = new Map<string, string | null>();
    // The journal keeps one closure per change (~150 bytes with what it captures: 15 MB for
    // 100,000 rows). The takes are journaled once instead, as `seen`, which holds them anyway;
    // each take's own journal entry goes to a journal that is dropped at once.
    journal.onRollback(() => {
      let released = 0;
      for (const [vrf, values] of seen) {
        const tree = memory.tree(orgId, vrf)!;
        for (const key of values.keys()) {
          const ip: Ip = typeof key === "number" ? { family: 4, value: BigInt(key) } : { family: 6, value: key };
          memory.release(new Journal(), memory.subnet(orgId, tree.mostSpecific(ip)!)!, ip.value);
          if (++released % COLLECT_EVERY === 0) Bun.gc(false);
        }
      }
    });
    /** rows placed in memory, not yet written */
    let pending: { row: number; address: NewAddress }[] = [];
    /** the batch being written (flush) */
    let writing: Promise<void> | undefined;
    /** rows whose address memory holds already, not yet named */
    let taken: { row: number; vrf: string; ip: string; key: Uint8Array }[] = [];
    let done = 0;
    let rows = 0;
    let created = 0;
    // One row at a time: read, checked and placed, then dropped; written a batch at a time.
    for (const item of file.items) {
      if ("error" in item) errors.push(item);
      else {
        rows++;
        const row = readAddressRow(item, file.positions);
        const error = isRowError(row) ? row.error : await place(row);
        if (error) errors.push({ row: item.row, error });
      }
      if (++done % PROGRESS_EVERY === 0) {
        await flush();
        input.onProgress?.(done, total);
      }
      if (done % COLLECT_EVERY === 0) Bun.gc(false);
    }
    await flush(true);
    input.onProgress?.(done, total);
    for (const id of touched) journal.note(id, "reload");
    if (errors.length === 0 && limit) throw limit;

    if (created > 0 && !input.dryRun) {
      await q.activity.record({
        orgId,
        actor: input.actor,
        action: "address.import",
        target: { type: "organization", id: orgId, label: "addresses CSV" },
        at,
        changes: { addresses_created: [0, created] },
      });
    }
    return { dry_run: input.dryRun, rows, created: { addresses: created } };

    /** Takes one row's address in memory and queues its row; returns why it cannot be, or null (also when `taken` will say). */
    async function place(row: AddressImportRow): Promise<string | null> {
      const text = formatIp(row.ip);
      const subnetId = memory.tree(orgId, row.vrf)?.mostSpecific(row.ip) ?? null;
      if (subnetId === null) {
        if (!vrfProblems.has(row.vrf)) vrfProblems.set(row.vrf, await vrfProblem(q, orgId, row.vrf));
        return vrfProblems.get(row.vrf) ?? `no subnet in VRF ${row.vrf} contains ${text}; import the subnets first`;
      }
      const state = memory.subnet(orgId, subnetId)!;
      if (!isUsable(state.prefix, row.ip.value)) {
        const which =
          row.ip.value !== state.prefix.network
            ? "the broadcast address"
            : state.prefix.family === 4 ? "the network address" : "the subnet-router anycast address";
        return `${text} is ${which} of ${state.cidr} and cannot be recorded`;
      }
      let inVrf = seen.get(row.vrf);
      if (!inVrf) seen.set(row.vrf, (inVrf = new Map()));
      const key = row.ip.family === 4 ? Number(row.ip.value) : row.ip.value;
      if (memory.take(new Journal(), state, row.ip.value) !== "ok") {
        const earlier = inVrf.get(key);
        if (earlier !== undefined) return `${text} is listed twice (first on row ${earlier})`;
        // Named by its record's hostname, looked up a batch at a time (flush): re-importing a
        // file refuses every row, and one query per row was 100,000 round trips on PostgreSQL.
        taken.push({ row: row.row, vrf: row.vrf, ip: text, key: keyOf(row.ip.family, row.ip.value) });
        return null;
      }
      inVrf.set(key, row.row);
      touched.add(state.id);
      pending.push({
        row: row.row,
        // Time-ordered ids append to the primary-key index (see addresses/writer.ts).
        address: { id: Bun.randomUUIDv7(), subnetId: state.id, vrf: row.vrf, ip: text, ipKey: keyOf(row.ip.family, row.ip.value), ...row.fields, at },
      });
      created++;
      return null;
    }

    /**
     * Starts writing the queued rows, and names the holders of the taken addresses met so far.
     * One batch is written while the next is read (on PostgreSQL the INSERT's round trip and
     * the database's work overlap the parsing); the next flush, and the last (`wait`), wait
     * for it and raise its error.
     */
    async function flush(wait = false): Promise<void> {
      if (taken.length > 0) {
        const refused = taken;
        taken = [];
        for (const vrf of new Set(refused.map((t) => t.vrf))) {
          const inVrf = refused.filter((t) => t.vrf === vrf);
          const hex = (key: Uint8Array) => Buffer.from(key).toString("hex");
          const holders = new Map((await q.addresses.byKeys(orgId, vrf, inVrf.map((t) => t.key))).map((a) => [hex(a.ip_key), a]));
          for (const t of inVrf) errors.push({ row: t.row, error: inUse(t.ip, holders.get(hex(t.key)) ?? null) } satisfies RowError);
        }
      }
      await writing;
      writing = undefined;
      if (pending.length > 0) {
        const batch = pending;
        pending = [];
        writing = write(batch);
        // Awaited by the next flush; until then a failure must not count as unhandled.
        writing.catch(() => {});
      }
      if (wait) {
        await writing;
        writing = undefined;
      }
    }

    async function write(batch: typeof pending): Promise<void> {
      try {
        await q.addresses.insertMany(orgId, batch.map((p) => p.address));
      } catch (error) {
        if (!(error instanceof AddressInUse)) throw error;
        // The UNIQUE (org, vrf, ip_key) backstop: memory said free, the table disagrees (rows
        // written behind memory's back). A bad row each (the import rolls back), never a raw
        // 500. Which ones: part of the batch may be in (SQLite inserts row by row), or none
        // (PostgreSQL's savepoint undid the statement); the table says, row by row.
        for (const p of batch) {
          const existing = await q.addresses.getByKey(orgId, p.address.vrf, p.address.ipKey);
          if (existing?.id === p.address.id) continue;
          if (existing) {
            errors.push({ row: p.row, error: inUse(p.address.ip, existing) } satisfies RowError);
            created--;
          } else await q.addresses.insertMany(orgId, [p.address]);
        }
      }
    }
  });
}

function inUse(ip: string, existing: { hostname: string } | null): string {
  return `${ip} is already in use${existing?.hostname ? ` by ${existing.hostname}` : ""}`;
}
