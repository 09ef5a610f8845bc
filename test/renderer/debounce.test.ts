import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { debounce, Latest } from '../../renderer/src/lib/debounce';

describe('debounce and Latest', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('runs once with the last arguments after the quiet time; flush and cancel', () => {
    const calls: string[] = [];
    const d = debounce((s: string) => calls.push(s), 150);
    d('a');
    d('b');
    vi.advanceTimersByTime(149);
    expect(calls).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(calls).toEqual(['b']);
    d('c');
    expect(d.pending()).toBe(true);
    d.flush();
    expect(calls).toEqual(['b', 'c']);
    d('d');
    d.cancel();
    vi.advanceTimersByTime(500);
    expect(calls).toEqual(['b', 'c']);
    d.flush();
    expect(calls).toEqual(['b', 'c']);
  });

  it('only the latest ticket is current', () => {
    const latest = new Latest();
    const a = latest.begin();
    const b = latest.begin();
    expect(latest.isCurrent(a)).toBe(false);
    expect(latest.isCurrent(b)).toBe(true);
    latest.invalidate();
    expect(latest.isCurrent(b)).toBe(false);
  });
});
