/**
 * Which addresses expire when: a min-heap of (deadline, key) with a position map, so a sweep
 * asks "what expired at or before T?" in O(k log n) for the k answers, and an address's
 * deadline can be set, moved or cleared in O(log n). Pure: no clock — the caller passes `now`
 * and chooses the unit (epoch seconds or milliseconds; any finite number).
 *
 *     heap (array):     [ (10,a) (12,c) (11,b) (30,d) (15,e) ]
 *     as a tree:                 (10,a)
 *                          (12,c)      (11,b)
 *                       (30,d) (15,e)
 *     pos:  a→0  c→1  b→2  d→3  e→4
 *
 * Invariants:
 * - heap order: no entry precedes its parent, where entries compare by deadline, then by
 *   `seq` (the order in which their deadlines were set), so equal deadlines come out in a
 *   stable order and every answer is deterministic;
 * - `pos.get(key)` is the index of key's entry, and each key has at most one entry.
 */

/** A key with its deadline. */
export interface Expiry<K> {
  key: K;
  at: number;
}

interface Entry<K> {
  key: K;
  at: number;
  seq: number;
}

/** Deadlines by key; see the module comment. */
export class ExpiryIndex<K> {
  private readonly heap: Entry<K>[] = [];
  private readonly pos = new Map<K, number>();
  private seq = 0;

  /** Number of keys with a deadline. */
  get size(): number {
    return this.heap.length;
  }

  /** The deadline of `key`, or undefined. */
  get(key: K): number | undefined {
    const i = this.pos.get(key);
    return i === undefined ? undefined : this.heap[i]!.at;
  }

  /** Sets (adds or moves) the deadline of `key`. Throws a RangeError on a non-finite deadline. */
  set(key: K, at: number): void {
    if (!Number.isFinite(at)) throw new RangeError(`deadline ${at} is not a finite number`);
    const i = this.pos.get(key);
    const entry = { key, at, seq: this.seq++ };
    if (i === undefined) {
      this.heap.push(entry);
      this.pos.set(key, this.heap.length - 1);
      this.siftUp(this.heap.length - 1);
      return;
    }
    this.heap[i] = entry;
    this.siftDown(this.siftUp(i));
  }

  /** Clears the deadline of `key`; false when it had none. */
  delete(key: K): boolean {
    const i = this.pos.get(key);
    if (i === undefined) return false;
    this.removeAt(i);
    return true;
  }

  /** Whether `key` has a deadline at or before `now`. */
  isExpired(key: K, now: number): boolean {
    const at = this.get(key);
    return at !== undefined && at <= now;
  }

  /** The earliest deadline (to arm a timer), or null when empty. */
  next(): Expiry<K> | null {
    const top = this.heap[0];
    return top === undefined ? null : { key: top.key, at: top.at };
  }

  /**
   * Removes and returns up to `limit` keys whose deadline is at or before `now`, earliest
   * first. A sweep that then fails to delete them should `set` them again.
   */
  popDue(now: number, limit: number = Infinity): Expiry<K>[] {
    const out: Expiry<K>[] = [];
    while (out.length < limit && this.heap.length > 0 && this.heap[0]!.at <= now) {
      const top = this.heap[0]!;
      out.push({ key: top.key, at: top.at });
      this.removeAt(0);
    }
    return out;
  }

  /**
   * Up to `limit` keys whose deadline is at or before `now`, earliest first, without removing
   * them. A best-first walk of the heap: a frontier of candidate indices, itself a small heap,
   * so the cost is O(k log k) for k answers whatever the size of the index.
   */
  due(now: number, limit: number = Infinity): Expiry<K>[] {
    const out: Expiry<K>[] = [];
    const frontier: number[] = [];
    const push = (i: number) => {
      if (i >= this.heap.length || this.heap[i]!.at > now) return;
      frontier.push(i);
      for (let c = frontier.length - 1; c > 0; ) {
        const p = (c - 1) >> 1;
        if (!this.less(frontier[c]!, frontier[p]!)) break;
        [frontier[c], frontier[p]] = [frontier[p]!, frontier[c]!];
        c = p;
      }
    };
    push(0);
    while (frontier.length > 0 && out.length < limit) {
      const i = frontier[0]!;
      const last = frontier.pop()!;
      if (frontier.length > 0) {
        frontier[0] = last;
        for (let p = 0; ; ) {
          let m = p;
          for (const c of [2 * p + 1, 2 * p + 2]) if (c < frontier.length && this.less(frontier[c]!, frontier[m]!)) m = c;
          if (m === p) break;
          [frontier[m], frontier[p]] = [frontier[p]!, frontier[m]!];
          p = m;
        }
      }
      out.push({ key: this.heap[i]!.key, at: this.heap[i]!.at });
      push(2 * i + 1);
      push(2 * i + 2);
    }
    return out;
  }

  /** Whether entry i comes before entry j. */
  private less(i: number, j: number): boolean {
    const a = this.heap[i]!;
    const b = this.heap[j]!;
    return a.at < b.at || (a.at === b.at && a.seq < b.seq);
  }

  private swap(i: number, j: number): void {
    const a = this.heap[i]!;
    const b = this.heap[j]!;
    this.heap[i] = b;
    this.heap[j] = a;
    this.pos.set(b.key, i);
    this.pos.set(a.key, j);
  }

  /** Moves entry i up to its place; returns its new index. */
  private siftUp(i: number): number {
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(i, p)) break;
      this.swap(i, p);
      i = p;
    }
    this.pos.set(this.heap[i]!.key, i);
    return i;
  }

  /** Moves entry i down to its place. */
  private siftDown(i: number): void {
    for (;;) {
      const l = 2 * i + 1;
      let m = i;
      if (l < this.heap.length && this.less(l, m)) m = l;
      if (l + 1 < this.heap.length && this.less(l + 1, m)) m = l + 1;
      if (m === i) return;
      this.swap(i, m);
      i = m;
    }
  }

  /** Removes entry i: the last entry takes its place and moves up or down. */
  private removeAt(i: number): void {
    const removed = this.heap[i]!;
    const last = this.heap.pop()!;
    this.pos.delete(removed.key);
    if (i === this.heap.length) return;
    this.heap[i] = last;
    this.pos.set(last.key, i);
    this.siftDown(this.siftUp(i));
  }

  /** Verifies the invariants of the module comment; throws on the first violation (tests). */
  checkInvariants(): void {
    if (this.pos.size !== this.heap.length) throw new Error(`pos holds ${this.pos.size} keys, heap ${this.heap.length}`);
    this.heap.forEach((entry, i) => {
      if (this.pos.get(entry.key) !== i) throw new Error(`pos of entry ${i} is stale`);
      if (i > 0 && this.less(i, (i - 1) >> 1)) throw new Error(`entry ${i} precedes its parent`);
    });
  }
}
