/**
 * Geometry of the virtualised result grid: square tiles in fixed-height rows, so any row's position is a
 * multiplication and only the rows on screen (plus a little overscan) exist in the DOM.
 */
export interface GridLayout {
  columns: number;
  /** Tile edge in px. */
  tile: number;
  gap: number;
  /** Tile plus gap: the distance between two rows' tops. */
  rowHeight: number;
}

export interface LayoutOptions {
  /** Smallest tile edge before a column is dropped. */
  minTile?: number;
  gap?: number;
}

export function computeLayout(width: number, options: LayoutOptions = {}): GridLayout {
  const minTile = options.minTile ?? 168;
  const gap = options.gap ?? 6;
  const usable = Math.max(0, width);
  const columns = Math.max(1, Math.floor((usable + gap) / (minTile + gap)));
  const tile = Math.max(48, Math.floor((usable - gap * (columns - 1)) / columns));
  return { columns, tile, gap, rowHeight: tile + gap };
}

export function rowCount(total: number, columns: number): number {
  return total <= 0 ? 0 : Math.ceil(total / Math.max(1, columns));
}

export interface RowRange {
  /** First and last row to render (inclusive); last < first when there is nothing to render. */
  first: number;
  last: number;
}

/** Rows intersecting the viewport, widened by `overscan` rows on both sides and clamped to the grid. */
export function visibleRows(scrollTop: number, viewportHeight: number, rowHeight: number, rows: number, overscan = 2): RowRange {
  if (rows <= 0 || rowHeight <= 0) return { first: 0, last: -1 };
  const top = Math.max(0, scrollTop);
  const first = Math.max(0, Math.floor(top / rowHeight) - overscan);
  const last = Math.min(rows - 1, Math.floor((top + Math.max(0, viewportHeight)) / rowHeight) + overscan);
  return { first: Math.min(first, rows - 1), last };
}

/** The hit indices covered by a row range (inclusive), clamped to the result count. */
export function indexRange(range: RowRange, columns: number, total: number): { first: number; last: number } {
  if (range.last < range.first || total <= 0) return { first: 0, last: -1 };
  return { first: range.first * columns, last: Math.min(total - 1, (range.last + 1) * columns - 1) };
}

/**
 * The scrollTop that brings a tile fully into view with the least movement, or null when it is already visible.
 */
export function scrollToReveal(index: number, layout: GridLayout, scrollTop: number, viewportHeight: number): number | null {
  const row = Math.floor(index / layout.columns);
  const top = row * layout.rowHeight;
  const bottom = top + layout.tile;
  if (top < scrollTop) return top;
  if (bottom > scrollTop + viewportHeight) return Math.max(0, bottom - viewportHeight + layout.gap);
  return null;
}

/** Rows that fit in the viewport (for Page Up / Page Down). */
export function rowsPerPage(layout: GridLayout, viewportHeight: number): number {
  return Math.max(1, Math.floor(viewportHeight / layout.rowHeight));
}

/**
 * How fast the grid is scrolling, from the scroll positions of the last `window` ms: a thumbnail is worth fetching
 * only when its tile stays on screen long enough to show it. During a fast fling every tile crosses the viewport in a
 * fraction of a second, and fetching and decoding ~200 thumbnails a second only costs frames (on a 2-core machine,
 * all of them); the tiles on screen load as soon as the scroll slows down or stops.
 */
export class ScrollSpeed {
  private readonly samples: { time: number; top: number }[] = [];

  constructor(private readonly window = 100) {}

  /** Records a scroll position; returns the speed (px/s) over the window, 0 until there are two samples. */
  sample(time: number, top: number): number {
    const samples = this.samples;
    samples.push({ time, top });
    while (samples.length > 2 && time - samples[1]!.time >= this.window) samples.shift();
    return this.speed();
  }

  speed(): number {
    const samples = this.samples;
    if (samples.length < 2) return 0;
    const first = samples[0]!;
    const last = samples[samples.length - 1]!;
    const elapsed = last.time - first.time;
    return elapsed > 0 ? (Math.abs(last.top - first.top) * 1000) / elapsed : 0;
  }

  /** The scroll stopped: the next movement starts from rest. */
  reset(): void {
    this.samples.length = 0;
  }
}

/** Scroll speed (px/s) up to which thumbnails load as tiles come into view: a tile then stays on screen >= ~0.5 s. */
export function thumbnailSpeedLimit(viewportHeight: number): number {
  return Math.max(1500, 2 * viewportHeight);
}
