import { describe, expect, it } from 'vitest';
import { clusterLoad, RequestLog } from '../../../src/optimizer/index.js';

describe('clusterLoad (fixed log2 bucketing)', () => {
  it('groups points by power-of-two cells, keeping the largest lengths and the rate', () => {
    const points = [
      { inputTokens: 100, outputTokens: 40 },
      { inputTokens: 120, outputTokens: 60 }, // same cell as above: [64,128) × [32,64)
      { inputTokens: 128, outputTokens: 60 }, // next input cell
      { inputTokens: 8000, outputTokens: 300 },
    ];
    expect(clusterLoad(points, 10)).toEqual([
      { id: 'in6-out5', inputTokens: 120, outputTokens: 60, rps: 0.2, requests: 2 },
      { id: 'in7-out5', inputTokens: 128, outputTokens: 60, rps: 0.1, requests: 1 },
      { id: 'in12-out8', inputTokens: 8000, outputTokens: 300, rps: 0.1, requests: 1 },
    ]);
  });

  it('is finer with more cells per octave and gives the same slices for any input order', () => {
    const points = [
      { inputTokens: 70, outputTokens: 10 },
      { inputTokens: 120, outputTokens: 10 },
    ];
    expect(clusterLoad(points, 1)).toHaveLength(1);
    expect(clusterLoad(points, 1, 2)).toHaveLength(2);
    expect(clusterLoad([...points].reverse(), 1, 2)).toEqual(clusterLoad(points, 1, 2));
  });

  it('returns no slice for an empty window and refuses a window of zero seconds', () => {
    expect(clusterLoad([], 60)).toEqual([]);
    expect(() => clusterLoad([], 0)).toThrow(RangeError);
  });
});

describe('RequestLog', () => {
  it('keeps a bounded ring and reads one model within the window', () => {
    const log = new RequestLog(3);
    for (let t = 1; t <= 5; t++)
      log.record({
        model: t % 2 === 0 ? 'b' : 'a',
        inputTokens: t,
        outputTokens: 1,
        atMs: t * 1000,
      });
    expect(log.size).toBe(3);
    expect(log.dropped).toBe(2);
    expect(log.window('a', 5000, 10_000).map((e) => e.inputTokens)).toEqual([3, 5]);
    expect(log.window('a', 5000, 1500).map((e) => e.inputTokens)).toEqual([5]);
    expect(log.window('b', 5000, 10_000).map((e) => e.inputTokens)).toEqual([4]);
  });

  it('ignores entries without usable token counts', () => {
    const log = new RequestLog(4);
    expect(log.record({ model: 'a', inputTokens: 0, outputTokens: 5, atMs: 1 })).toBe(false);
    expect(log.record({ model: 'a', inputTokens: 5, outputTokens: NaN, atMs: 1 })).toBe(false);
    expect(log.record({ model: 'a', inputTokens: 5, outputTokens: 5, atMs: 1 })).toBe(true);
    expect(log.size).toBe(1);
  });
});
