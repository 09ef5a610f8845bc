import { describe, expect, it } from 'vitest';
import {
  computeLayout,
  indexRange,
  rowCount,
  rowsPerPage,
  ScrollSpeed,
  scrollToReveal,
  thumbnailSpeedLimit,
  visibleRows,
} from '../../renderer/src/lib/grid-layout';

describe('virtual grid layout', () => {
  it('fits as many columns of at least the minimum tile as the width allows', () => {
    expect(computeLayout(1000, { minTile: 160, gap: 8 })).toEqual({ columns: 6, tile: 160, gap: 8, rowHeight: 168 });
    expect(computeLayout(1200, { minTile: 160, gap: 8 }).columns).toBe(7);
    expect(computeLayout(100, { minTile: 160, gap: 8 }).columns).toBe(1);
    expect(computeLayout(0).columns).toBe(1);
  });

  it('renders only the rows on screen, plus overscan, with 100 000 results', () => {
    const layout = computeLayout(1200, { minTile: 160, gap: 8 });
    const rows = rowCount(100_000, layout.columns);
    expect(rows).toBe(Math.ceil(100_000 / 7));
    const range = visibleRows(500_000, 900, layout.rowHeight, rows, 2);
    const rendered = range.last - range.first + 1;
    expect(rendered).toBeLessThan(12);
    expect(range.first).toBe(Math.floor(500_000 / layout.rowHeight) - 2);
    const indices = indexRange(range, layout.columns, 100_000);
    expect(indices.first).toBe(range.first * 7);
    expect(indices.last - indices.first + 1).toBe(rendered * 7);
  });

  it('clamps at both ends and handles an empty grid', () => {
    expect(visibleRows(0, 600, 100, 3, 2)).toEqual({ first: 0, last: 2 });
    expect(visibleRows(99_999, 600, 100, 3, 2)).toEqual({ first: 2, last: 2 });
    expect(visibleRows(0, 600, 100, 0)).toEqual({ first: 0, last: -1 });
    expect(indexRange({ first: 0, last: -1 }, 4, 10)).toEqual({ first: 0, last: -1 });
    expect(indexRange({ first: 0, last: 5 }, 4, 10)).toEqual({ first: 0, last: 9 });
    expect(rowCount(0, 4)).toBe(0);
  });

  it('scrolls the least amount to reveal a tile', () => {
    const layout = { columns: 4, tile: 100, gap: 10, rowHeight: 110 };
    expect(scrollToReveal(5, layout, 0, 500)).toBeNull();
    expect(scrollToReveal(20, layout, 0, 500)).toBe(5 * 110 + 100 - 500 + 10);
    expect(scrollToReveal(0, layout, 300, 500)).toBe(0);
    expect(rowsPerPage(layout, 500)).toBe(4);
  });
});

describe('scroll speed', () => {
  it('measures px/s over the last 100 ms of scroll positions', () => {
    const speed = new ScrollSpeed(100);
    expect(speed.sample(0, 0)).toBe(0);
    // A fling: 80 px a frame at 60 Hz, 4800 px/s.
    let top = 0;
    let v = 0;
    for (let frame = 1; frame <= 30; frame++) v = speed.sample((frame * 1000) / 60, (top += 80));
    expect(v).toBeCloseTo(4800, 0);
    expect(v).toBeGreaterThan(thumbnailSpeedLimit(820));
    // Slowing down to 10 px a frame: the window forgets the fast part within ~100 ms.
    for (let frame = 31; frame <= 40; frame++) v = speed.sample((frame * 1000) / 60, (top += 10));
    expect(v).toBeCloseTo(600, 0);
    expect(v).toBeLessThan(thumbnailSpeedLimit(820));
    // Upwards is as fast as downwards.
    speed.reset();
    speed.sample(0, 10_000);
    expect(speed.sample(50, 9_800)).toBeCloseTo(4000, 0);
  });

  it('starts from rest after a reset and ignores a lone jump', () => {
    const speed = new ScrollSpeed();
    speed.sample(0, 0);
    speed.sample(16, 100);
    speed.reset();
    expect(speed.speed()).toBe(0);
    // One programmatic jump (scrollTop set, a reveal) with no movement around it: no speed to speak of.
    expect(speed.sample(5000, 50_000)).toBe(0);
  });

  it('lets thumbnails load below about two viewports a second', () => {
    expect(thumbnailSpeedLimit(820)).toBe(1640);
    expect(thumbnailSpeedLimit(300)).toBe(1500);
    expect(thumbnailSpeedLimit(0)).toBe(1500);
  });
});
