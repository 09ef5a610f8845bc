import { describe, expect, it } from 'vitest';
import { RateMeter } from '../../../electron/engine/indexing/rate-meter';

describe('RateMeter', () => {
  it('averages over the sliding window and forgets what is older', () => {
    let now = 0;
    const meter = new RateMeter(10_000, () => now);
    expect(meter.rate()).toBe(0);
    for (let t = 1; t <= 20; t++) {
      now = t * 1000;
      meter.record(t <= 10 ? 10 : 40);
    }
    // The last 10 s hold only the fast second half.
    expect(meter.rate()).toBeCloseTo(40, 6);
    now = 35_000;
    expect(meter.rate()).toBe(0);
  });

  it('uses the time since reset when that is shorter than the window, but at least a second', () => {
    let now = 0;
    const meter = new RateMeter(10_000, () => now);
    now = 500;
    meter.record(16);
    expect(meter.rate()).toBe(16);
    now = 4000;
    meter.record(16);
    expect(meter.rate()).toBe(8);
    now = 100_000;
    meter.reset();
    now = 102_000;
    meter.record(10);
    expect(meter.rate()).toBe(5);
  });
});
