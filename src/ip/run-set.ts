/**
 * A set of non-negative integers below 2^53, stored as maximal runs of consecutive members.
 * It is the memory-frugal core of the allocator: memory grows with the number of runs
 * (≤ number of members), never with the span of values the set could hold.
 *
 * Layout: a list of pages, each a Float64Array of runs `[start0, end0, start1, end1, ...]`.
 *
 *     pageStarts: [ 0        , 9000             , 70000 ]     (first start of each page)
 *     pages:      [ [0,99, 200,200, ...], [9000,9050, ...], [70000,70000, ...] ]
 *
 * Invariants:
 * - runs are sorted and maximal across the whole set: end_k + 1 < start_{k+1}
 *   (two runs never touch; touching runs are merged at once);
 * - every page holds 1..maxRuns runs (empty pages are removed) and
 *   pageStarts[p] === pages[p].data[0];
 * - `total` = Σ (end − start + 1).
 *
 * Cost: locating a value is two binary searches (pages, then runs in the page); an insert or
 * removal moves at most one page's runs (≤ maxRuns × 16 bytes; 256 by default). A run costs 16 bytes plus
 * page slack (capacity doubles from MIN_RUNS up to maxRuns, and halves when a page is
 * three-quarters empty), so a set with r runs uses about 16–40 bytes per run.
 */

/** Default largest page, in runs: big enough for few pages, small enough that a memmove is cheap. */
const DEFAULT_MAX_RUNS = 256;
/** A new page's capacity, in runs, so that a subnet with one address stays small. */
const MIN_RUNS = 4;

interface Page {
  /** runs interleaved as start, end; capacity = data.length / 2 runs */
  data: Float64Array;
  /** runs in use */
  count: number;
}

/** Sorted set of integers in [0, 2^53) kept as maximal runs; see the module comment. */
export class RunSet {
  private pages: Page[] = [];
  private pageStarts: number[] = [];
  private total = 0;
  /** Result registers of `locate` (kept as fields so the hot path allocates nothing). */
  private lp = -1;
  private li = -1;
  /** Set by `firstAbsentOutside` / `lastAbsentOutside`: the far end of the free stretch found. */
  stretchEdge = 0;
  private readonly maxRuns: number;

  /** `maxRuns` (≥ MIN_RUNS) is the page size; tests shrink it to exercise page boundaries. */
  constructor(maxRuns: number = DEFAULT_MAX_RUNS) {
    if (!Number.isInteger(maxRuns) || maxRuns < MIN_RUNS) throw new RangeError(`page size must be ≥ ${MIN_RUNS}`);
    this.maxRuns = maxRuns;
  }

  /** Number of members. */
  get size(): number {
    return this.total;
  }

  /** Number of maximal runs. */
  get runCount(): number {
    let n = 0;
    for (const page of this.pages) n += page.count;
    return n;
  }

  /**
   * Sets `lp` to the last page whose first start ≤ x (0 if none, −1 if no pages) and `li` to
   * the last run in it whose start ≤ x (−1 when x is before the page's first run).
   */
  private locate(x: number): void {
    const starts = this.pageStarts;
    if (starts.length === 0) {
      this.lp = -1;
      this.li = -1;
      return;
    }
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (starts[mid]! <= x) lo = mid;
      else hi = mid - 1;
    }
    this.lp = lo;
    const page = this.pages[lo]!;
    const d = page.data;
    if (d[0]! > x) {
      this.li = -1;
      return;
    }
    let a = 0;
    let b = page.count - 1;
    while (a < b) {
      const mid = (a + b + 1) >>> 1;
      if (d[2 * mid]! <= x) a = mid;
      else b = mid - 1;
    }
    this.li = a;
  }

  /** Whether x is a member. */
  has(x: number): boolean {
    this.locate(x);
    return this.li >= 0 && x <= this.pages[this.lp]!.data[2 * this.li + 1]!;
  }

  /** Smallest non-member ≥ x. */
  nextAbsent(x: number): number {
    this.locate(x);
    if (this.li < 0) return x;
    const end = this.pages[this.lp]!.data[2 * this.li + 1]!;
    return x <= end ? end + 1 : x;
  }

  /** Smallest member ≥ x, or −1 when there is none. */
  nextPresent(x: number): number {
    this.locate(x);
    if (this.lp < 0) return -1;
    const page = this.pages[this.lp]!;
    if (this.li >= 0 && x <= page.data[2 * this.li + 1]!) return x;
    if (this.li + 1 < page.count) return page.data[2 * (this.li + 1)]!;
    const next = this.pages[this.lp + 1];
    return next === undefined ? -1 : next.data[0]!;
  }

  /** Largest non-member ≤ x, or −1 when every value in [0, x] is a member. */
  prevAbsent(x: number): number {
    this.locate(x);
    if (this.li < 0) return x;
    const d = this.pages[this.lp]!.data;
    return x <= d[2 * this.li + 1]! ? d[2 * this.li]! - 1 : x;
  }

  /** Largest member ≤ x, or −1 when there is none. */
  prevPresent(x: number): number {
    this.locate(x);
    if (this.li < 0) return -1; // x precedes the first run (locate found page 0)
    const end = this.pages[this.lp]!.data[2 * this.li + 1]!;
    return x <= end ? x : end;
  }

  /**
   * Start of the lowest run of n ≥ 1 non-members inside [lo, hi], or −1. Walks the runs from
   * lo one after the other (no search per step): the contiguous allocator's inner loop, where
   * a fragmented subnet has a short gap between almost every two runs.
   */
  firstGap(lo: number, hi: number, n: number): number {
    this.locate(lo);
    let p = this.lp;
    let i = this.li;
    if (p < 0) return lo + n - 1 <= hi ? lo : -1;
    let s = lo;
    if (i >= 0) {
      const end = this.pages[p]!.data[2 * i + 1]!;
      if (s <= end) s = end + 1;
    }
    // The run after (p, i) is the next one that can end the gap starting at s.
    for (;;) {
      if (s + n - 1 > hi) return -1;
      i++;
      let page = this.pages[p]!;
      if (i >= page.count) {
        p++;
        i = 0;
        if (p >= this.pages.length) return s;
        page = this.pages[p]!;
      }
      const d = page.data;
      if (d[2 * i]! - s >= n) return s;
      s = d[2 * i + 1]! + 1;
    }
  }

  /** Start of the highest run of n ≥ 1 non-members inside [lo, hi] (lo ≥ 0), or −1; `firstGap` downwards. */
  lastGap(lo: number, hi: number, n: number): number {
    this.locate(hi);
    let p = this.lp;
    let i = this.li;
    let e = hi;
    if (p >= 0 && i >= 0) {
      const d = this.pages[p]!.data;
      if (e <= d[2 * i + 1]!) e = d[2 * i]! - 1;
      else i++; // no member in (end of run i, hi]: the run at or below e is i itself, visited next
    }
    if (p < 0) return hi - n + 1 >= lo ? hi - n + 1 : -1;
    // The run before (p, i) is the next one (downwards) that can end the gap ending at e.
    for (;;) {
      if (e - n + 1 < lo) return -1;
      i--;
      if (i < 0) {
        p--;
        if (p < 0) return e - n + 1;
        i = this.pages[p]!.count - 1;
      }
      const d = this.pages[p]!.data;
      if (e - d[2 * i + 1]! >= n) return e - n + 1;
      e = d[2 * i]! - 1;
    }
  }

  /**
   * Lowest non-member in [lo, hi] that no interval of `skip` holds, or −1. `skip` is a flat
   * list of sorted, disjoint closed intervals [s0, e0, s1, e1, ...] (a request's excludes).
   * One search, then the runs and the intervals are walked side by side: stepping over k
   * excluded free addresses costs k steps, not k searches. Afterwards `stretchEdge` is the
   * last value of the free stretch found (before the next run or interval; +Infinity when
   * none follows, so it may exceed hi).
   */
  firstAbsentOutside(lo: number, hi: number, skip: readonly number[]): number {
    const pages = this.pages;
    this.locate(lo);
    let p = this.lp;
    let i = this.li;
    let k = 0;
    let s = lo;
    for (;;) {
      if (s > hi) return -1;
      let nextRun = Infinity;
      if (p >= 0) {
        // (p, i) becomes the last run starting at or before s; step over it if it holds s.
        for (;;) {
          let np = p;
          let ni = i + 1;
          if (ni >= pages[np]!.count) {
            np++;
            ni = 0;
            if (np >= pages.length) break;
          }
          const start = pages[np]!.data[2 * ni]!;
          if (start > s) {
            nextRun = start;
            break;
          }
          p = np;
          i = ni;
        }
        if (i >= 0) {
          const end = pages[p]!.data[2 * i + 1]!;
          if (s <= end) s = end + 1; // runs never touch: s is now outside every run
        }
      }
      while (k < skip.length && skip[k + 1]! < s) k += 2;
      if (k < skip.length && skip[k]! <= s) {
        s = skip[k + 1]! + 1;
        k += 2;
        continue;
      }
      if (s > hi) return -1;
      this.stretchEdge = Math.min(nextRun, k < skip.length ? skip[k]! : Infinity) - 1;
      return s;
    }
  }

  /**
   * Highest non-member in [lo, hi] (lo ≥ 0) that no interval of `skip` holds, or −1;
   * `firstAbsentOutside` downwards. Afterwards `stretchEdge` is the first value of the free
   * stretch found (after the previous run or interval; −1 when none precedes).
   */
  lastAbsentOutside(lo: number, hi: number, skip: readonly number[]): number {
    const pages = this.pages;
    this.locate(hi);
    let p = this.lp;
    let i = this.li;
    let k = skip.length - 2;
    let e = hi;
    for (;;) {
      if (e < lo) return -1;
      let prevRun = -1;
      if (p >= 0 && i >= 0) {
        // (p, i) becomes the last run starting at or before e; step below it if it holds e.
        while (i >= 0 && pages[p]!.data[2 * i]! > e) {
          i--;
          if (i < 0 && p > 0) {
            p--;
            i = pages[p]!.count - 1;
          }
        }
        if (i >= 0) {
          const d = pages[p]!.data;
          if (e <= d[2 * i + 1]!) {
            e = d[2 * i]! - 1; // runs never touch: e is now outside every run
            continue; // the run before may start above the excludes' next edge: check again
          }
          prevRun = d[2 * i + 1]!;
        }
      }
      while (k >= 0 && skip[k]! > e) k -= 2;
      if (k >= 0 && skip[k + 1]! >= e) {
        e = skip[k]! - 1;
        k -= 2;
        continue;
      }
      if (e < lo) return -1;
      this.stretchEdge = Math.max(prevRun, k >= 0 ? skip[k + 1]! : -1) + 1;
      return e;
    }
  }

  /** Adds x; false if it was already a member. */
  add(x: number): boolean {
    this.locate(x);
    const p = this.lp;
    const i = this.li;
    if (p < 0) {
      this.pages.push({ data: Float64Array.of(x, x, 0, 0, 0, 0, 0, 0), count: 1 });
      this.pageStarts.push(x);
      this.total = 1;
      return true;
    }
    const d = this.pages[p]!.data;
    if (i >= 0 && x <= d[2 * i + 1]!) return false;
    // The neighbours of x: previous run (p, i) and next run (np, ni), either may be missing.
    let np = p;
    let ni = i + 1;
    if (ni >= this.pages[p]!.count) {
      np = p + 1;
      ni = 0;
    }
    const nextPage = this.pages[np];
    const touchesPrev = i >= 0 && d[2 * i + 1]! + 1 === x;
    const touchesNext = nextPage !== undefined && nextPage.data[2 * ni]! === x + 1;
    if (touchesPrev && touchesNext) {
      d[2 * i + 1] = nextPage.data[2 * ni + 1]!; // [s..x-1] x [x+1..e] → [s..e]
      this.removeRun(np, ni);
    } else if (touchesPrev) {
      d[2 * i + 1] = x;
    } else if (touchesNext) {
      nextPage.data[2 * ni] = x;
      if (ni === 0) this.pageStarts[np] = x;
    } else {
      this.insertRun(p, i + 1, x, x);
    }
    this.total++;
    return true;
  }

  /** Removes x; false if it was not a member. */
  delete(x: number): boolean {
    this.locate(x);
    const p = this.lp;
    const i = this.li;
    if (i < 0) return false;
    const d = this.pages[p]!.data;
    const start = d[2 * i]!;
    const end = d[2 * i + 1]!;
    if (x > end) return false;
    if (start === end) {
      this.removeRun(p, i);
    } else if (x === start) {
      d[2 * i] = x + 1;
      if (i === 0) this.pageStarts[p] = x + 1;
    } else if (x === end) {
      d[2 * i + 1] = x - 1;
    } else {
      d[2 * i + 1] = x - 1; // [s..e] → [s..x-1] and [x+1..e]
      this.insertRun(p, i + 1, x + 1, end);
    }
    this.total--;
    return true;
  }

  /**
   * Appends x, which must exceed every member (bulk loading from sorted input). Pages are
   * filled completely, so a set loaded this way has no slack until it is modified.
   */
  appendMax(x: number): void {
    const last = this.pages[this.pages.length - 1];
    if (last !== undefined) {
      const top = last.data[2 * last.count - 1]!;
      if (x <= top) throw new RangeError(`appendMax(${x}) after ${top}: input is not strictly increasing`);
      this.total++;
      if (top + 1 === x) {
        last.data[2 * last.count - 1] = x;
        return;
      }
      if (last.count < this.maxRuns) {
        this.insertRun(this.pages.length - 1, last.count, x, x);
        return;
      }
    } else {
      this.total++;
    }
    this.pages.push({ data: Float64Array.of(x, x, 0, 0, 0, 0, 0, 0), count: 1 });
    this.pageStarts.push(x);
  }

  /** Number of members in [a, b]. Costs O(log + runs inside). */
  countInRange(a: number, b: number): number {
    if (a > b) return 0;
    this.locate(a);
    if (this.lp < 0) return 0;
    let n = 0;
    let i = Math.max(this.li, 0);
    for (let p = this.lp; p < this.pages.length; p++, i = 0) {
      const page = this.pages[p]!;
      for (; i < page.count; i++) {
        const s = page.data[2 * i]!;
        if (s > b) return n;
        const e = page.data[2 * i + 1]!;
        if (e >= a) n += Math.min(e, b) - Math.max(s, a) + 1;
      }
    }
    return n;
  }

  /** Bytes of run storage (typed arrays and the page index; object headers not counted). */
  storageBytes(): number {
    let bytes = 8 * this.pageStarts.length;
    for (const page of this.pages) bytes += page.data.byteLength;
    return bytes;
  }

  /** The runs in order, as [start, end] pairs (tests and diagnostics). */
  *runs(): Generator<[number, number]> {
    for (const page of this.pages) {
      for (let i = 0; i < page.count; i++) yield [page.data[2 * i]!, page.data[2 * i + 1]!];
    }
  }

  /** Inserts run [s, e] at position i of page p, growing or splitting the page as needed. */
  private insertRun(p: number, i: number, s: number, e: number): void {
    let page = this.pages[p]!;
    if (page.count * 2 === page.data.length) {
      if (page.count < this.maxRuns) {
        const grown = new Float64Array(Math.min(page.data.length * 2, 2 * this.maxRuns));
        grown.set(page.data);
        page.data = grown;
      } else {
        // Split: the upper half moves to a new page right after p.
        const half = page.count >>> 1;
        const upper = new Float64Array(this.maxRuns * 2);
        upper.set(page.data.subarray(2 * half, 2 * page.count));
        const moved: Page = { data: upper, count: page.count - half };
        page.count = half;
        this.pages.splice(p + 1, 0, moved);
        this.pageStarts.splice(p + 1, 0, upper[0]!);
        if (i > half) {
          p += 1;
          i -= half;
          page = moved;
        }
      }
    }
    const d = page.data;
    d.copyWithin(2 * i + 2, 2 * i, 2 * page.count);
    d[2 * i] = s;
    d[2 * i + 1] = e;
    page.count++;
    if (i === 0) this.pageStarts[p] = s;
  }

  /** Removes the run at position i of page p; drops the page when empty, shrinks it when sparse. */
  private removeRun(p: number, i: number): void {
    const page = this.pages[p]!;
    page.data.copyWithin(2 * i, 2 * i + 2, 2 * page.count);
    page.count--;
    if (page.count === 0) {
      this.pages.splice(p, 1);
      this.pageStarts.splice(p, 1);
      return;
    }
    if (i === 0) this.pageStarts[p] = page.data[0]!;
    if (page.data.length > 2 * MIN_RUNS && page.count * 8 <= page.data.length) {
      const runs = Math.max(MIN_RUNS, Math.ceil(page.data.length / 4)); // half the capacity, in runs
      page.data = page.data.slice(0, 2 * runs);
    }
  }

  /** Verifies every invariant of the module comment; throws on the first violation (tests). */
  checkInvariants(): void {
    let total = 0;
    let previousEnd = -2;
    if (this.pages.length !== this.pageStarts.length) throw new Error("pages and pageStarts differ in length");
    this.pages.forEach((page, p) => {
      if (page.count < 1 || page.count > this.maxRuns || page.count * 2 > page.data.length) throw new Error(`page ${p} count ${page.count}`);
      if (this.pageStarts[p] !== page.data[0]) throw new Error(`pageStarts[${p}] is stale`);
      for (let i = 0; i < page.count; i++) {
        const s = page.data[2 * i]!;
        const e = page.data[2 * i + 1]!;
        if (s > e || s <= previousEnd + 1) throw new Error(`run [${s}, ${e}] is not sorted and maximal`);
        total += e - s + 1;
        previousEnd = e;
      }
    });
    if (total !== this.total) throw new Error(`size ${this.total} but runs hold ${total}`);
  }
}
