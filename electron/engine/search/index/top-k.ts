/*
 * Keeping the best of many estimates, shared by the calling thread and the helper threads (search-worker.ts):
 * a bounded heap (TopK), a heap-free buffer that keeps at least the best `keep` (Survivors), and the selection
 * they rest on (kthLargest, largest).
 */

/** Candidate slots with their estimates (without the query's constant <centre, q>), best first. */
export interface Candidates {
  slots: number[];
  estimates: number[];
}

/** The k-th largest value (Hoare's quickselect; reorders `values`). */
export function kthLargest(values: Float32Array | Float64Array, k: number): number {
  let lo = 0;
  let hi = values.length - 1;
  const want = values.length - k; // index in ascending order
  while (lo < hi) {
    const pivot = values[(lo + hi) >> 1]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (values[i]! < pivot) i++;
      while (values[j]! > pivot) j--;
      if (i <= j) {
        const t = values[i]!;
        values[i++] = values[j]!;
        values[j--] = t;
      }
    }
    if (want <= j) hi = j;
    else if (want >= i) lo = i;
    else return values[want]!;
  }
  return values[want]!;
}

/**
 * At least the `keep` largest values added above a starting threshold (often a few more), without a heap: values
 * go to a buffer of twice that size; when it fills, the keep-th largest becomes the threshold and everything at or
 * below it is dropped.
 */
export class Survivors {
  readonly values: Float32Array;
  readonly items: Int32Array;
  private size = 0;

  /** `threshold`: values at or below it are never kept (it only rises). */
  constructor(
    readonly keep: number,
    public threshold = -Infinity,
  ) {
    this.values = new Float32Array(2 * keep);
    this.items = new Int32Array(2 * keep);
  }

  add(value: number, item: number): void {
    if (value <= this.threshold) return;
    if (this.size === this.values.length) this.shrink();
    this.values[this.size] = value;
    this.items[this.size++] = item;
  }

  /** Compacts to the survivors; returns how many (values/items[0..n)). */
  finish(): number {
    if (this.size > this.keep) this.shrink();
    return this.size;
  }

  private shrink(): void {
    this.threshold = kthLargest(this.values.slice(0, this.size), this.keep);
    let n = 0;
    // Ties at the threshold are dropped, so the buffer always frees room.
    for (let i = 0; i < this.size; i++) {
      if (this.values[i]! > this.threshold) {
        this.values[n] = this.values[i]!;
        this.items[n++] = this.items[i]!;
      }
    }
    this.size = n;
  }
}

/** A bounded min-heap: the `capacity` largest estimates seen. */
export class TopK {
  private readonly values: Float64Array;
  private readonly items: Int32Array;
  private size = 0;

  constructor(private readonly capacity: number) {
    this.values = new Float64Array(capacity);
    this.items = new Int32Array(capacity);
  }

  /** The smallest kept value, or -Infinity while there is room: smaller values are not kept. */
  get threshold(): number {
    return this.size < this.capacity ? -Infinity : this.values[0]!;
  }

  add(value: number, item: number): void {
    const { values, items } = this;
    let i: number;
    if (this.size < this.capacity) {
      // Sift up from the end.
      i = this.size++;
      while (i > 0) {
        const parent = (i - 1) >> 1;
        if (values[parent]! <= value) break;
        values[i] = values[parent]!;
        items[i] = items[parent]!;
        i = parent;
      }
    } else {
      // Replace the root and sift down.
      i = 0;
      const n = this.size;
      for (;;) {
        let child = 2 * i + 1;
        if (child >= n) break;
        if (child + 1 < n && values[child + 1]! < values[child]!) child++;
        if (values[child]! >= value) break;
        values[i] = values[child]!;
        items[i] = items[child]!;
        i = child;
      }
    }
    values[i] = value;
    items[i] = item;
  }

  /** The kept items, best first (empties the heap). */
  sorted(): Candidates {
    const slots = new Array<number>(this.size);
    const estimates = new Array<number>(this.size);
    const { values, items } = this;
    // Pop the minimum into the last free place, then sift the former last entry down from the root.
    for (let n = this.size; n > 0; n--) {
      slots[n - 1] = items[0]!;
      estimates[n - 1] = values[0]!;
      const value = values[n - 1]!;
      const item = items[n - 1]!;
      let i = 0;
      for (;;) {
        let child = 2 * i + 1;
        if (child >= n - 1) break;
        if (child + 1 < n - 1 && values[child + 1]! < values[child]!) child++;
        if (values[child]! >= value) break;
        values[i] = values[child]!;
        items[i] = items[child]!;
        i = child;
      }
      values[i] = value;
      items[i] = item;
    }
    this.size = 0;
    return { slots, estimates };
  }
}

/** The `count` largest of values[0..n) with their items, largest first (a selection, then a sort of the few). */
export function largest(values: Float64Array, items: Int32Array, n: number, count: number): Candidates {
  const threshold = n > count ? kthLargest(values.slice(0, n), count) : -Infinity;
  const order: number[] = [];
  for (let i = 0; i < n; i++) if (values[i]! > threshold) order.push(i);
  // Ties at the threshold fill what is left.
  for (let i = 0; i < n && order.length < count; i++) if (values[i] === threshold) order.push(i);
  order.sort((a, b) => values[b]! - values[a]!);
  return { slots: order.map((i) => items[i]!), estimates: order.map((i) => values[i]!) };
}
