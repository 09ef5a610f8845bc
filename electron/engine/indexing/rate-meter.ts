/**
 * Items per second over a sliding window (default the last 10 s): recent enough to follow a change of pace (a batch
 * of 50 MP panoramas after phone photos), long enough that one slow batch does not swing the ETA.
 */
export class RateMeter {
  private samples: Array<{ at: number; count: number }> = [];
  private since: number;

  constructor(
    private readonly windowMs = 10_000,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.since = this.now();
  }

  /** Forgets everything: the rate of a new run must not include the last one's (or the idle time between). */
  reset(): void {
    this.samples = [];
    this.since = this.now();
  }

  record(count: number): void {
    if (count <= 0) return;
    this.samples.push({ at: this.now(), count });
    this.trim(this.now());
  }

  /** Items per second: what finished in the window, over the window (or the time since reset, if shorter). */
  rate(): number {
    const now = this.now();
    this.trim(now);
    if (this.samples.length === 0) return 0;
    let total = 0;
    for (const s of this.samples) total += s.count;
    // At least a second, so the first batch after a reset does not read as thousands per second.
    const spanMs = Math.max(1000, Math.min(this.windowMs, now - this.since));
    return (total * 1000) / spanMs;
  }

  private trim(now: number): void {
    const cutoff = now - this.windowMs;
    let drop = 0;
    while (drop < this.samples.length && this.samples[drop]!.at <= cutoff) drop++;
    if (drop > 0) this.samples.splice(0, drop);
  }
}
