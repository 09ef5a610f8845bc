/** A trailing-edge debounce with the controls a search box needs (run now on Enter, drop on unmount). */
export interface Debounced<A extends unknown[]> {
  (...args: A): void;
  /** Runs the pending call now, if any. */
  flush(): void;
  /** Drops the pending call. */
  cancel(): void;
  pending(): boolean;
}

export function debounce<A extends unknown[]>(fn: (...args: A) => void, ms: number): Debounced<A> {
  let timer: ReturnType<typeof setTimeout> | null = null;
  let lastArgs: A | null = null;
  const run = (): void => {
    timer = null;
    const args = lastArgs;
    lastArgs = null;
    if (args) fn(...args);
  };
  const debounced = ((...args: A) => {
    lastArgs = args;
    if (timer !== null) clearTimeout(timer);
    timer = setTimeout(run, ms);
  }) as Debounced<A>;
  debounced.flush = () => {
    if (timer === null) return;
    clearTimeout(timer);
    run();
  };
  debounced.cancel = () => {
    if (timer !== null) clearTimeout(timer);
    timer = null;
    lastArgs = null;
  };
  debounced.pending = () => timer !== null;
  return debounced;
}

/**
 * Sequence numbers for "only the latest answer counts": begin() before a request, isCurrent(ticket) when it answers.
 * Used for the viewer's describe and similar strip, where an older reply may land after a newer one.
 */
export class Latest {
  private sequence = 0;
  begin(): number {
    return ++this.sequence;
  }
  isCurrent(ticket: number): boolean {
    return ticket === this.sequence;
  }
  /** Makes every outstanding ticket stale. */
  invalidate(): void {
    this.sequence++;
  }
}
