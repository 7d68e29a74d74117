import { describe, expect, it } from 'vitest';
import { RateWindow } from '../../../src/weights/index.js';

describe('RateWindow', () => {
  it('is 0 before any bytes and follows the recent rate, not the average', () => {
    const w = new RateWindow({ windowMs: 3000 });
    expect(w.bytesPerSecond(0)).toBe(0);
    for (let t = 0; t < 10_000; t += 100) w.add(100, t); // 1000 B/s for 10 s
    expect(w.bytesPerSecond(10_000)).toBeCloseTo(1000, -1);
    for (let t = 10_000; t < 14_000; t += 100) w.add(1000, t); // then 10 000 B/s
    expect(w.bytesPerSecond(14_000)).toBeCloseTo(10_000, -2);
    expect(w.bytesPerSecond(30_000)).toBe(0);
  });
});
