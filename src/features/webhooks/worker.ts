/**
 * The delivery worker: one per server process (on PostgreSQL, one per replica; the claims
 * keep them apart: store/pg/webhooks.ts). It never runs inside a request, so a slow or dead
 * receiver costs the API nothing but a few idle sockets.
 *
 *   tick ─▶ claimDue(now, lease, free slots)     one short write (lease = now + LEASE_MS)
 *        ─▶ for each claimed row, concurrently:  POST, signed (send.ts), ≤ SEND_TIMEOUT_MS
 *             2xx                ─▶ settle: succeeded
 *             else, < 24 h old   ─▶ settle: pending at now + backoff(attempts)
 *             else               ─▶ settle: failed (given up)
 *        ─▶ next tick: when a slot frees up or rows keep coming, else after POLL_MS
 *
 * At-least-once: a crash between POST and settle leaves the lease to run out and the row is
 * sent again; every body carries its event `id` for receivers to dedupe. Events that were
 * never committed never reach the outbox (it is written in the same transaction).
 */
import type { Logger } from "../../logger";
import type { ClaimedDelivery, DeliveryOutcome, Store } from "../../store/store";
import { SEND_TIMEOUT_MS, sendDelivery } from "./send";

/**
 * How long a claimed row is not due again: longer than any attempt can last (the send timeout,
 * plus a margin for settling), short enough that a crashed server's claims come back soon.
 */
const LEASE_MS = SEND_TIMEOUT_MS + 5_000;
const HOUR = 3600_000;

export interface WorkerOptions {
  /** first retry delay; doubled per attempt up to `maxDelayMs` (default 30 s → … → 1 h) */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** after this long since the event, a failing delivery is marked failed (default 24 h) */
  giveUpAfterMs?: number;
  /** deliveries in flight at once (default 8) */
  concurrency?: number;
  /** idle poll interval (default 1 s) */
  pollMs?: number;
  /** settled deliveries and feed events older than this are pruned (default 7 days) */
  keepMs?: number;
  timeoutMs?: number;
  now?: () => number;
}

/** The delay before retry number `attempts` + 1: base · 2^(attempts−1), capped. */
export function backoffMs(attempts: number, base: number, max: number): number {
  return Math.min(max, base * 2 ** Math.max(0, attempts - 1));
}

export interface DeliveryWorker {
  /** One claim-and-send round; resolves when every claimed delivery is settled. Returns how many were sent. */
  runOnce(): Promise<number>;
  start(): void;
  /** Stops polling and waits for deliveries in flight. */
  stop(): Promise<void>;
}

export function deliveryWorker(store: Store, logger: Logger, options: WorkerOptions = {}): DeliveryWorker {
  const base = options.baseDelayMs ?? 30_000;
  const max = options.maxDelayMs ?? HOUR;
  const giveUpAfter = options.giveUpAfterMs ?? 24 * HOUR;
  const concurrency = options.concurrency ?? 8;
  const pollMs = options.pollMs ?? 1000;
  const keepMs = options.keepMs ?? 7 * 24 * HOUR;
  const now = options.now ?? Date.now;
  const inFlight = new Set<Promise<void>>();
  let timer: ReturnType<typeof setTimeout> | undefined;
  let running = false;
  let ticking = false;
  let lastPrune = 0;

  async function deliver(d: ClaimedDelivery): Promise<void> {
    const result = await sendDelivery(
      { url: d.url, secret: d.secret, body: d.body, eventId: d.eventId, eventType: d.eventType, deliveryId: d.id },
      { timeoutMs: options.timeoutMs, now },
    );
    const at = now();
    const giveUp = at - Date.parse(d.createdAt) >= giveUpAfter;
    const outcome: DeliveryOutcome = result.ok
      ? { status: "succeeded", at: new Date(at).toISOString(), nextAttemptAt: null, httpStatus: result.httpStatus, error: null }
      : {
          status: giveUp ? "failed" : "pending",
          at: new Date(at).toISOString(),
          nextAttemptAt: giveUp ? null : new Date(at + backoffMs(d.attempts, base, max)).toISOString(),
          httpStatus: result.httpStatus,
          error: result.error,
        };
    await store.write({ orgId: null }, (q) => q.webhooks.settle(d.id, outcome));
  }

  async function claim(slots: number): Promise<ClaimedDelivery[]> {
    const t = now();
    return store.write({ orgId: null }, (q) => q.webhooks.claimDue(new Date(t).toISOString(), new Date(t + LEASE_MS).toISOString(), slots));
  }

  async function prune(): Promise<void> {
    if (now() - lastPrune < HOUR) return;
    lastPrune = now();
    const cutoff = new Date(now() - keepMs).toISOString();
    await store.tryWrite({ orgId: null }, (q) => q.webhooks.prune(cutoff));
  }

  function launch(d: ClaimedDelivery): Promise<void> {
    const p = deliver(d)
      .catch((error) => logger.warn("webhook delivery not settled", { delivery: d.id, error: error instanceof Error ? error.message : String(error) }))
      .finally(() => inFlight.delete(p));
    inFlight.add(p);
    return p;
  }

  async function runOnce(): Promise<number> {
    const claimed = await claim(concurrency);
    await Promise.all(claimed.map(launch));
    return claimed.length;
  }

  /** A slot came free: look for more work now rather than at the next poll. */
  function wake(): void {
    if (!running || ticking) return;
    if (timer) clearTimeout(timer);
    timer = undefined;
    schedule(0);
  }

  async function tick(): Promise<void> {
    timer = undefined;
    if (!running) return;
    ticking = true;
    let claimed = 0;
    try {
      await prune();
      const slots = concurrency - inFlight.size;
      if (slots > 0) {
        const rows = await claim(slots);
        claimed = rows.length;
        // Not awaited: a slow receiver holds one slot, not the loop.
        for (const d of rows) launch(d).then(wake);
      }
    } catch (error) {
      logger.warn("webhook worker postponed", { error: error instanceof Error ? error.message : String(error) });
    }
    ticking = false;
    schedule(claimed > 0 && inFlight.size < concurrency ? 0 : pollMs);
  }

  function schedule(ms: number): void {
    if (!running || timer) return;
    timer = setTimeout(tick, ms);
    timer.unref?.();
  }

  return {
    runOnce,
    start() {
      if (running) return;
      running = true;
      schedule(0);
    },
    async stop() {
      running = false;
      if (timer) clearTimeout(timer);
      timer = undefined;
      await Promise.all([...inFlight]);
    },
  };
}
