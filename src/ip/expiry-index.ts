/**
 * Which addresses expire when: a min-heap of (deadline, key) whose entries know their
 * position, so a sweep asks "what expired at or before T?" in O(k log n) for the k answers,
 * and an address's deadline can be set, moved or cleared in O(log n). Pure: no clock — the caller passes `now`
 * and chooses the unit (epoch seconds or milliseconds; any finite number).
 *
 *     heap (array):     [ (10,a) (12,c) (11,b) (30,d) (15,e) ]
 *     as a tree:                 (10,a)
 *                          (12,c)      (11,b)
 *                       (30,d) (15,e)
 *     byKey: a→entry(index 0)  c→entry(index 1)  ...
 *
 * Invariants:
 * - heap order: no entry precedes its parent, where entries compare by deadline, then by
 *   `seq` (the order in which their deadlines were set), so equal deadlines come out in a
 *   stable order and every answer is deterministic;
 * - `byKey.get(key)` is key's entry, `heap[entry.index] === entry`, and each key has at most
 *   one entry (entries carry their index, so a sift moves no Map entry).
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
  /** Position in the heap array. */
  index: number;
}

/** Whether a comes out before b. */
function before<K>(a: Entry<K>, b: Entry<K>): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}

/** Deadlines by key; see the module comment. */
export class ExpiryIndex<K> {
  private readonly heap: Entry<K>[] = [];
  private readonly byKey = new Map<K, Entry<K>>();
  private seq = 0;

  /** Number of keys with a deadline. */
  get size(): number {
    return this.heap.length;
  }

  /** The deadline of `key`, or undefined. */
  get(key: K): number | undefined {
    return this.byKey.get(key)?.at;
  }

  /** Sets (adds or moves) the deadline of `key`. Throws a RangeError on a non-finite deadline. */
  set(key: K, at: number): void {
    if (!Number.isFinite(at)) throw new RangeError(`deadline ${at} is not a finite number`);
    const existing = this.byKey.get(key);
    if (existing === undefined) {
      const entry: Entry<K> = { key, at, seq: this.seq++, index: this.heap.length };
      this.heap.push(entry);
      this.byKey.set(key, entry);
      this.siftUp(entry);
      return;
    }
    existing.at = at;
    existing.seq = this.seq++;
    this.siftUp(existing);
    this.siftDown(existing);
  }

  /** Clears the deadline of `key`; false when it had none. */
  delete(key: K): boolean {
    const entry = this.byKey.get(key);
    if (entry === undefined) return false;
    this.removeAt(entry.index);
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
    return before(this.heap[i]!, this.heap[j]!);
  }

  /** Moves `entry` up to its place: its ancestors that come after it move down a level. */
  private siftUp(entry: Entry<K>): void {
    let i = entry.index;
    while (i > 0) {
      const parent = this.heap[(i - 1) >> 1]!;
      if (!before(entry, parent)) break;
      this.heap[i] = parent;
      parent.index = i;
      i = (i - 1) >> 1;
    }
    this.heap[i] = entry;
    entry.index = i;
  }

  /** Moves `entry` down to its place: its smaller descendants move up a level. */
  private siftDown(entry: Entry<K>): void {
    const n = this.heap.length;
    let i = entry.index;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const c = l + 1 < n && before(this.heap[l + 1]!, this.heap[l]!) ? l + 1 : l;
      const child = this.heap[c]!;
      if (!before(child, entry)) break;
      this.heap[i] = child;
      child.index = i;
      i = c;
    }
    this.heap[i] = entry;
    entry.index = i;
  }

  /** Removes entry i: the last entry takes its place and moves up or down. */
  private removeAt(i: number): void {
    const removed = this.heap[i]!;
    const last = this.heap.pop()!;
    this.byKey.delete(removed.key);
    if (i === this.heap.length) return;
    last.index = i;
    this.heap[i] = last;
    this.siftUp(last);
    this.siftDown(last);
  }

  /** Verifies the invariants of the module comment; throws on the first violation (tests). */
  checkInvariants(): void {
    if (this.byKey.size !== this.heap.length) throw new Error(`byKey holds ${this.byKey.size} keys, heap ${this.heap.length}`);
    this.heap.forEach((entry, i) => {
      if (this.byKey.get(entry.key) !== entry || entry.index !== i) throw new Error(`entry ${i} is stale`);
      if (i > 0 && this.less(i, (i - 1) >> 1)) throw new Error(`entry ${i} precedes its parent`);
    });
  }
}
