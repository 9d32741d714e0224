/**
 * The delivery worker: one per server process (on PostgreSQL, one per replica; the claims
 * keep them apart: store/pg/webhooks.ts). It never runs inside a request, so a slow or dead
 * receiver costs the API nothing but a few idle sockets.
 *
 *   cycle ─▶ ONE write transaction:                 settle every attempt that ended since
 *              settle(outcomes so far)              the last cycle, and claim rows for the
 *              claimDue(now, lease, free slots)      free slots (lease = now + LEASE_MS)
 *         ─▶ for each claimed row, concurrently:    POST, signed (send.ts), ≤ SEND_TIMEOUT_MS
 *              2xx               ─▶ outcome: succeeded
 *              else, < 24 h old  ─▶ outcome: pending again at now + backoff(attempts)
 *              else              ─▶ outcome: failed (given up)
 *         ─▶ next cycle: after CYCLE_MS while anything is in flight or was claimed, else POLL_MS
 *
 * One transaction per cycle, not one per delivery: each is a commit the API's own writes
 * would queue behind (on SQLite, one writer at a time), so a busy receiver must not turn
 * into a commit per event. At-least-once: a crash between POST and settle leaves the lease
 * to run out and the row is sent again; every body carries its event `id` for receivers to
 * dedupe. Events that never committed never reach the outbox (same transaction).
 */
import type { Logger } from "../../logger";
import type { ClaimedDelivery, DeliveryOutcome, Store } from "../../store/store";
import { SEND_TIMEOUT_MS, sendDelivery } from "./send";

/**
 * How long a claimed row is not due again: longer than any attempt can last (the send timeout,
 * plus a margin for settling), short enough that a crashed server's claims come back soon.
 */
const LEASE_MS = SEND_TIMEOUT_MS + 5_000;
/** Pause between cycles while there is work: bounds the worker to ~20 transactions a second. */
const CYCLE_MS = 50;
/** How long stop() waits for attempts in flight. */
const STOP_GRACE_MS = 2_000;
const HOUR = 3600_000;

export interface WorkerOptions {
  /** first retry delay; doubled per attempt up to `maxDelayMs` (default 30 s → … → 1 h) */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** after this long since the event, a failing delivery is marked failed (default 24 h) */
  giveUpAfterMs?: number;
  /** deliveries in flight at once (default 32) */
  concurrency?: number;
  /** idle poll interval (default 1 s) */
  pollMs?: number;
  /** settled deliveries older than this are pruned (default 7 days; the feed's events go with the activity log) */
  keepMs?: number;
  timeoutMs?: number;
  now?: () => number;
}

/** The delay before retry number `attempts` + 1: base · 2^(attempts−1), capped. */
export function backoffMs(attempts: number, base: number, max: number): number {
  return Math.min(max, base * 2 ** Math.max(0, attempts - 1));
}

export interface DeliveryWorker {
  /** One cycle, then waits for what it claimed and settles it. Returns how many were sent. */
  runOnce(): Promise<number>;
  start(): void;
  /** Stops cycling, waits (briefly) for deliveries in flight and settles the ones that ended. */
  stop(): Promise<void>;
}

export function deliveryWorker(store: Store, logger: Logger, options: WorkerOptions = {}): DeliveryWorker {
  const base = options.baseDelayMs ?? 30_000;
  const max = options.maxDelayMs ?? HOUR;
  const giveUpAfter = options.giveUpAfterMs ?? 24 * HOUR;
  const concurrency = options.concurrency ?? 32;
  const pollMs = options.pollMs ?? 1000;
  const keepMs = options.keepMs ?? 7 * 24 * HOUR;
  const now = options.now ?? Date.now;
  const inFlight = new Set<Promise<void>>();
  /** attempts that ended, to be written by the next cycle */
  let outcomes: [string, DeliveryOutcome][] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  let running = false;
  let lastPrune = 0;
  let cycling: Promise<number> | undefined;

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
    outcomes.push([d.id, outcome]);
  }

  function launch(d: ClaimedDelivery): void {
    const p = deliver(d).finally(() => inFlight.delete(p));
    inFlight.add(p);
  }

  /** Settles what ended and claims up to `slots` more, in one write; launches the claimed ones. */
  async function cycle(slots: number): Promise<number> {
    if (outcomes.length === 0 && slots <= 0) return 0; // nothing to write: no transaction at all
    const batch = outcomes;
    outcomes = [];
    const t = now();
    try {
      const claimed = await store.write({ orgId: null }, async (q) => {
        for (const [id, o] of batch) await q.webhooks.settle(id, o);
        return slots > 0 ? q.webhooks.claimDue(new Date(t).toISOString(), new Date(t + LEASE_MS).toISOString(), slots) : [];
      });
      for (const d of claimed) launch(d);
      return claimed.length;
    } catch (error) {
      // Not written: the outcomes go back for the next cycle (their rows stay leased meanwhile).
      outcomes = batch.concat(outcomes);
      throw error;
    }
  }

  async function prune(): Promise<void> {
    if (now() - lastPrune < HOUR) return;
    lastPrune = now();
    const cutoff = new Date(now() - keepMs).toISOString();
    await store.tryWrite({ orgId: null }, (q) => q.webhooks.prune(cutoff));
  }

  async function tick(): Promise<void> {
    timer = undefined;
    if (!running) return;
    let claimed = 0;
    try {
      await prune();
      cycling = cycle(concurrency - inFlight.size);
      claimed = await cycling;
    } catch (error) {
      logger.warn("webhook delivery postponed", { error: error instanceof Error ? error.message : String(error) });
    } finally {
      cycling = undefined;
    }
    const busy = claimed > 0 || inFlight.size > 0 || outcomes.length > 0;
    if (running) {
      timer = setTimeout(tick, busy ? CYCLE_MS : pollMs);
      timer.unref?.();
    }
  }

  return {
    async runOnce() {
      const claimed = await cycle(concurrency - inFlight.size);
      await Promise.all([...inFlight]);
      await cycle(0);
      return claimed;
    },
    start() {
      if (running) return;
      running = true;
      timer = setTimeout(tick, 0);
      timer.unref?.();
    },
    async stop() {
      running = false;
      if (timer) clearTimeout(timer);
      timer = undefined;
      await cycling?.catch(() => undefined);
      // A hanging receiver must not hold up a shutdown for the whole send timeout: what has
      // not ended by then stays leased and is sent again after the restart (at least once).
      await Promise.race([Promise.all([...inFlight]), Bun.sleep(STOP_GRACE_MS)]);
      if (outcomes.length > 0) await cycle(0).catch(() => undefined);
    },
  };
}
