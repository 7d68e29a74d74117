import { describe, expect, it } from 'vitest';
import { TimeBucketWindow } from '../../../src/autoscaling/index.js';

describe('TimeBucketWindow', () => {
  it('averages the samples of the window, not the buckets', () => {
    const w = new TimeBucketWindow({ maxWindowMs: 10_000 });
    w.record(1000, 2);
    w.record(1500, 4); // same bucket
    w.record(5000, 9);
    expect(w.average(5000, 10_000)).toBe(5); // (2 + 4 + 9) / 3
  });

  it('leaves out samples older than the window', () => {
    const w = new TimeBucketWindow({ maxWindowMs: 60_000 });
    w.record(0, 100);
    w.record(10_000, 1);
    expect(w.average(10_000, 5_000)).toBe(1);
    expect(w.average(10_000, 60_000)).toBe(50.5);
    expect(w.average(69_000, 60_000)).toBe(1); // the sample at 0 is past 60 s
    expect(w.average(70_000, 60_000)).toBeUndefined(); // a window is (now − 60 s, now]
  });

  it('answers undefined when the window holds no sample (a gap is not a zero)', () => {
    const w = new TimeBucketWindow({ maxWindowMs: 60_000 });
    expect(w.average(0, 60_000)).toBeUndefined();
    w.record(0, 3);
    expect(w.average(30_000, 10_000)).toBeUndefined();
    expect(w.average(30_000, 60_000)).toBe(3);
  });

  it('bounds its memory to max window / granularity buckets and reuses them', () => {
    const w = new TimeBucketWindow({ maxWindowMs: 5_000, granularityMs: 1000 });
    expect(w.capacity).toBe(5);
    for (let t = 0; t < 100_000; t += 500) w.record(t, t);
    // Only the last 5 buckets (95 000..99 500) remain, whatever window is asked.
    expect(w.average(99_500, 1_000_000)).toBe(
      (95_000 + 95_500 + 99_000 + 99_500 + 96_000 + 96_500 + 97_000 + 97_500 + 98_000 + 98_500) /
        10,
    );
  });

  it('keeps a late sample that still falls in a held bucket and drops an older one', () => {
    const w = new TimeBucketWindow({ maxWindowMs: 5_000 });
    w.record(10_000, 10);
    w.record(8_000, 20); // time went back 2 s: still held
    expect(w.average(10_000, 5_000)).toBe(15);
    w.record(4_000, 99); // older than the ring: dropped
    expect(w.average(10_000, 5_000)).toBe(15);
  });

  it('starts over after a large jump back in time (a clock reset)', () => {
    const w = new TimeBucketWindow({ maxWindowMs: 5_000 });
    w.record(1_000_000, 50);
    w.record(1_000, 7);
    expect(w.average(1_000, 5_000)).toBe(7);
    expect(w.average(1_000_000, 5_000)).toBeUndefined();
  });

  it('ignores non-finite samples and clamps bad sizes', () => {
    const w = new TimeBucketWindow({ maxWindowMs: Number.NaN, granularityMs: -5 });
    expect(w.capacity).toBe(1);
    w.record(0, Number.NaN);
    w.record(Number.POSITIVE_INFINITY, 1);
    expect(w.average(0, 1000)).toBeUndefined();
    w.record(0, 4);
    expect(w.average(0, 1000)).toBe(4);
  });
});
