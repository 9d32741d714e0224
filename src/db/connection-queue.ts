/**
 * The one SQLite connection, taken in turns: a promise-chain mutex.
 *
 * While bodies were synchronous, JavaScript's single thread was the lock. The store's units
 * of work (src/store/sqlite/store.ts) have async bodies, so a unit holds the connection
 * across microtasks; everything that opens a transaction on the connection takes this
 * queue first, so no other unit's statements land inside it:
 *
 *     run(a) ──▶ a starts ─────────── a settles ─▶ release
 *     run(b) ──▶ waits for a ─────────────────────────────▶ b starts …
 *
 * Holders must not wait on timers or I/O while holding it (a writer waiting for another
 * process's lock releases it between attempts: db/tx.ts).
 */
import type { Database } from "bun:sqlite";

export class ConnectionQueue {
  private tail: Promise<void> = Promise.resolve();
  /** Holders and waiters: when 0, nobody holds the connection and `fn` may start at once. */
  private pending = 0;

  /** Runs `fn` once every earlier holder has finished; errors pass through. */
  async run<T>(fn: () => T | Promise<T>): Promise<T> {
    const previous = this.tail;
    let release!: () => void;
    this.tail = new Promise<void>((resolve) => (release = resolve));
    // Nobody ahead: start in this turn rather than a few microtask hops later (the common
    // case, e.g. every request's credential lookup). Otherwise wait for the one ahead.
    const idle = this.pending++ === 0;
    try {
      if (!idle) await previous;
      return await fn();
    } finally {
      this.pending--;
      release();
    }
  }
}

const queues = new WeakMap<Database, ConnectionQueue>();

/** The queue of `sqlite` (one per connection, shared by the store and legacy writers). */
export function connectionQueue(sqlite: Database): ConnectionQueue {
  let queue = queues.get(sqlite);
  if (!queue) {
    queue = new ConnectionQueue();
    queues.set(sqlite, queue);
  }
  return queue;
}
