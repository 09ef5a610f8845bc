import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ToastQueue } from '../../renderer/src/lib/toasts';

describe('toasts', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('shows a few at a time, replaces repeats and expires them', () => {
    const toasts = new ToastQueue(2);
    const seen: number[] = [];
    toasts.onChange((items) => seen.push(items.length));
    toasts.push('a');
    toasts.push('b');
    toasts.push('c');
    expect(toasts.items.map((t) => t.text)).toEqual(['b', 'c']);
    toasts.push('b', 'error');
    expect(toasts.items.map((t) => t.text)).toEqual(['c', 'b']);
    vi.advanceTimersByTime(4000);
    expect(toasts.items.map((t) => t.text)).toEqual(['b']);
    vi.advanceTimersByTime(5000);
    expect(toasts.items).toEqual([]);
    expect(seen.at(-1)).toBe(0);
  });
});
