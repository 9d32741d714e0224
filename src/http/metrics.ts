/**
 * Prometheus metrics (text format 0.0.4), kept in memory. Served at /metrics only with
 * `--metrics`. Route labels are route *patterns* (`/api/v1/subnets/:id`), never raw paths,
 * so label cardinality stays bounded whatever clients send.
 */
import { Elysia } from "elysia";
import type { Store } from "../store/store";

const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

interface Histogram {
  counts: number[];
  sum: number;
  count: number;
}

export interface Metrics {
  observeRequest(method: string, route: string, status: number, seconds: number): void;
  /** addresses handed out by the allocator (single and bulk) */
  countAllocations(n: number): void;
  /** The text; stored counts come from the store (exact on SQLite, PostgreSQL's live-row statistics there). */
  render(store: Store): Promise<string>;
}

export function createMetrics(): Metrics {
  const requests = new Map<string, number>();
  const latency = new Map<string, Histogram>();
  let allocations = 0;

  return {
    observeRequest(method, route, status, seconds) {
      const key = `method="${method}",route="${escapeLabel(route)}",status="${status}"`;
      requests.set(key, (requests.get(key) ?? 0) + 1);
      const hkey = `method="${method}",route="${escapeLabel(route)}"`;
      let h = latency.get(hkey);
      if (!h) {
        h = { counts: BUCKETS.map(() => 0), sum: 0, count: 0 };
        latency.set(hkey, h);
      }
      for (let i = 0; i < BUCKETS.length; i++) if (seconds <= BUCKETS[i]!) h.counts[i]!++;
      h.sum += seconds;
      h.count++;
    },
    countAllocations(n) {
      allocations += n;
    },
    async render(store) {
      const lines: string[] = [];
      lines.push("# HELP ipcraft_http_requests_total HTTP requests by route pattern, method and status.");
      lines.push("# TYPE ipcraft_http_requests_total counter");
      for (const [labels, n] of requests) lines.push(`ipcraft_http_requests_total{${labels}} ${n}`);
      lines.push("# HELP ipcraft_http_request_duration_seconds Time to answer a request.");
      lines.push("# TYPE ipcraft_http_request_duration_seconds histogram");
      for (const [labels, h] of latency) {
        BUCKETS.forEach((le, i) => lines.push(`ipcraft_http_request_duration_seconds_bucket{${labels},le="${le}"} ${h.counts[i]}`));
        lines.push(`ipcraft_http_request_duration_seconds_bucket{${labels},le="+Inf"} ${h.count}`);
        lines.push(`ipcraft_http_request_duration_seconds_sum{${labels}} ${h.sum}`);
        lines.push(`ipcraft_http_request_duration_seconds_count{${labels}} ${h.count}`);
      }
      lines.push("# HELP ipcraft_allocations_total Addresses handed out by the allocator since start.");
      lines.push("# TYPE ipcraft_allocations_total counter");
      lines.push(`ipcraft_allocations_total ${allocations}`);
      // SQLite: how memory followed other processes' commits (ipam/registry.ts); none on PostgreSQL.
      const follow = store.ipam.memory.followStats();
      if (follow) {
        for (const [name, key, help] of [
          ["ipcraft_registry_foreign_commits_total", "foreignCommits", "Commits by other processes the server noticed (any table)."],
          ["ipcraft_registry_replays_total", "replays", "Organizations brought up to date by replaying other processes' logged IPAM writes."],
          ["ipcraft_registry_replayed_changes_total", "replayedChanges", "Address takes and frees those replays applied."],
          ["ipcraft_registry_rebuilds_total", "rebuilds", "Organizations rebuilt from their rows after another process's IPAM write (no replay possible)."],
        ] as const) {
          lines.push(`# HELP ${name} ${help}`);
          lines.push(`# TYPE ${name} counter`);
          lines.push(`${name} ${follow[key] ?? 0}`);
        }
      }
      const totals = await store.read({ orgId: null }, (q) => q.ops.totals());
      for (const [name, table] of [
        ["ipcraft_subnets", "subnets"],
        ["ipcraft_addresses", "addresses"],
        ["ipcraft_organizations", "organizations"],
      ] as const) {
        lines.push(`# HELP ${name} ${table} stored, all organizations.`);
        lines.push(`# TYPE ${name} gauge`);
        lines.push(`${name} ${totals[table]}`);
      }
      return `${lines.join("\n")}\n`;
    },
  };
}

function escapeLabel(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

/** GET /metrics, mounted only when the server runs with --metrics. */
export function metricsRoute(metrics: Metrics, store: Store) {
  return new Elysia({ name: "metrics" }).get(
    "/metrics",
    async () => new Response(await metrics.render(store), { headers: { "content-type": "text/plain; version=0.0.4; charset=utf-8" } }),
    { detail: { tags: ["Operations"], summary: "Prometheus metrics (with --metrics)", security: [] } },
  );
}
