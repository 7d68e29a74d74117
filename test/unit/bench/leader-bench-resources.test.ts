import { describe, expect, it } from 'vitest';
import type { LeaderSample } from '../../../src/bench/leader-bench-leader.js';
import { leaderResources } from '../../../src/bench/leader-bench-report.js';

const gc = (count: number, sumS: number, upTo10ms: number) => ({
  buckets: [
    { le: 0.001, count: 0 },
    { le: 0.01, count: upTo10ms },
    { le: Infinity, count },
  ],
  sum: sumS,
  count,
});

/** A scrape `atS` seconds in, whose window (since the scrape before) had this loop p99. */
const sample = (atS: number, p99Ms: number, cpuSeconds: number): LeaderSample => ({
  atMs: atS * 1000,
  cpuSeconds,
  rssBytes: (400 + atS) * 2 ** 20,
  heapUsedBytes: 100 * 2 ** 20,
  loopDelayP99S: p99Ms / 1000,
  loopDelayMaxS: (p99Ms * 2) / 1000,
  agentsConnected: 10,
  // Paced from the second window on: 750 ms, then 1,125.
  paceStateMs: atS < 10 ? 0 : atS < 15 ? 750 : 1125,
  scrapeMs: 3,
  addedLatency: undefined,
  feed: { resyncs: 0, slowDropped: 0 },
  // Two scavenges a second, 2 ms each; one of them over 10 ms by the last scrape.
  gcPauses: { minor: gc(atS * 2, atS * 0.004, atS * 2 - (atS >= 15 ? 1 : 0)), major: undefined },
});

describe('leaderResources', () => {
  it("reads each window's loop p99 in time order, the worst and the median, and the rates", () => {
    const r = leaderResources([
      sample(0, 999, 0), // the scrape that opens the measured window: its p99 is before it
      sample(5, 12.5, 3),
      sample(10, 31.25, 6),
      sample(15, 8, 9),
    ]);
    expect(r.eventLoopDelayP99Ms).toEqual({
      worstWindow: 31.25,
      medianWindow: 12.5,
      inOrder: [12.5, 31.25, 8],
    });
    expect(r.windows).toBe(3);
    expect(r.paceStateMsInOrder).toEqual([0, 750, 1125]);
    expect(r.eventLoopDelayMaxMs).toBe(62.5);
    expect(r.cpuCores).toBe(0.6);
    expect(r.rssMaxMiB).toBe(415);
    expect(r.gcPauses.minor).toEqual({ perS: 2, meanMs: 2, msPerS: 4, over10msPerS: 0.067 });
    expect(r.gcPauses.major).toBeNull();
  });

  it('refuses fewer than two scrapes', () => {
    expect(() => leaderResources([sample(0, 1, 0)])).toThrow(/two scrapes/);
  });
});
