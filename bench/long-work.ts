/**
 * Long work beside everyone else (issue 11, item 7): through the compiled binary on a database
 * file, the largest inline split (1,024 parts), the largest split (65,536 parts, in the
 * worker, the answer streamed) and the largest API import (100,000 address rows,
 * dry run and real) of one organization, while loops time /healthz and another
 * organization's reads. Prints one table row per operation and probe: answers during it,
 * p50, p99, max, the server's CPU time and memory. Run: `bun run build && bun run bench long-work`
 * (or run this file).
 */
import { loadavg } from "node:os";
import { api, killLeftovers } from "../test/reliability/child-server";
import { cpuMsOf, importCsv, largestAddressCsv, largestSplit, memoryOf, percentile, probeDuring, startLongWorkServer, type Sample } from "../test/reliability/long-work";

const loads = () => loadavg().map((l) => l.toFixed(1)).join(" ");

export default async function runLongWorkBench(): Promise<void> {
  const w = await startLongWorkServer("bench-long-work");
  const pid = w.server.proc.pid;
  const csv = largestAddressCsv();
  const rows: string[] = [];

  async function measure(label: string, work: () => Promise<unknown>) {
    const before = memoryOf(pid);
    const cpu = cpuMsOf(pid);
    const { samples, workStart, workEnd } = await probeDuring(w, work);
    const after = memoryOf(pid);
    const cpuMs = cpuMsOf(pid) - cpu;
    const byWhat = new Map<string, Sample[]>();
    for (const s of samples) byWhat.set(s.what, [...(byWhat.get(s.what) ?? []), s]);
    for (const [what, list] of byWhat) {
      const ms = list.map((s) => s.ms);
      rows.push(
        `| ${label} (${Math.round(workEnd - workStart)} ms, server CPU ${cpuMs} ms) | ${what} | ${list.length} | ${percentile(ms, 50).toFixed(1)} | ` +
          `${percentile(ms, 99).toFixed(1)} | ${Math.max(...ms).toFixed(1)} | ${Math.round(before.rss)} → ${Math.round(after.rss)} (peak ${Math.round(after.peak)}) |`,
      );
    }
  }

  const loadBefore = loads();
  try {
    // Warm-up: a smaller split first, so that the table measures the work more than the JIT.
    await measure("warm-up split", async () => void (await largestSplit(w, "198.18.0.0/15", 256)));
    rows.length = 0;
    await measure("split into 1,024", async () => {
      const r = await largestSplit(w);
      if (r.status !== 201) throw new Error(`split: ${r.status}`);
    });
    await measure("split into 65,536 (worker)", async () => {
      // The answer is read as bytes, not parsed: parsing 26 MB here would hold this process's probes.
      const s = await api(w.base, w.busy, "POST", "/subnets", { cidr: "11.0.0.0/8" });
      const r = await fetch(`${w.base}/api/v1/subnets/${s.body.id}/split`, {
        method: "POST",
        headers: { ...w.busy.bearer, "content-type": "application/json" },
        body: JSON.stringify({ parts: 65_536 }),
      });
      const bytes = (await r.arrayBuffer()).byteLength;
      if (r.status !== 201) throw new Error(`split: ${r.status}`);
      console.error(`split into 65,536: ${(bytes / 1e6).toFixed(1)} MB answered`);
    });
    await measure(`import dry run, ${(csv.length / 1e6).toFixed(1)} MB`, async () => {
      const r = await importCsv(w, csv, true);
      if (r.status !== 200) throw new Error(`dry run: ${r.status} ${JSON.stringify(r.body).slice(0, 200)}`);
    });
    await measure("import, 100,000 rows", async () => {
      const r = await importCsv(w, csv, false);
      if (r.status !== 200) throw new Error(`import: ${r.status} ${JSON.stringify(r.body).slice(0, 200)}`);
    });
    console.log(`load average before: ${loadBefore}; after: ${loads()} (2 cores; the probes share them)\n`);
    console.log("| operation | probe | answers during it | p50 ms | p99 ms | max ms | server RSS MB |");
    console.log("|---|---|---|---|---|---|---|");
    for (const row of rows) console.log(row);
  } finally {
    await killLeftovers();
  }
}

if (import.meta.main) await runLongWorkBench();
