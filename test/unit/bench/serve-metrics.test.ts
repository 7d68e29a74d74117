import { describe, expect, it } from 'vitest';
import {
  computeServeMetrics,
  meetsSlos,
  metricStats,
  peakConcurrency,
  percentileLinear,
  requestTpotMs,
  type RequestOutcome,
} from '../../../src/bench/serve-metrics.js';

/** A completed request whose chunks land at `chunkAtMs` (ms after its send). */
function timeline(
  startMs: number,
  chunkAtMs: number[],
  endMs: number,
  tokens = chunkAtMs.length,
): RequestOutcome {
  const itl = chunkAtMs.slice(1).map((t, i) => t - (chunkAtMs[i] as number));
  return {
    ok: true,
    error: '',
    startMs,
    ttftMs: chunkAtMs[0] as number,
    e2elMs: endMs,
    itlMs: itl,
    inputTokens: 100,
    outputTokens: tokens,
  };
}

const failed = (error: string): RequestOutcome => ({
  ok: false,
  error,
  startMs: 0,
  ttftMs: NaN,
  e2elMs: 5,
  itlMs: [],
  inputTokens: 100,
  outputTokens: 0,
});

describe('percentileLinear (numpy default)', () => {
  it('interpolates between ranks', () => {
    expect(percentileLinear([1, 2, 3, 4], 50)).toBe(2.5);
    expect(percentileLinear([10, 20, 30, 40, 50], 90)).toBe(46);
    expect(percentileLinear([7], 99)).toBe(7);
    expect(percentileLinear([], 50)).toBe(0);
  });

  it('gives mean, median, population std and the asked percentiles', () => {
    const s = metricStats([4, 2, 8, 6], [25, 99]);
    expect(s.mean).toBe(5);
    expect(s.median).toBe(5);
    expect(s.std).toBe(2.236);
    expect(s.percentiles).toEqual({ p25: 3.5, p99: 7.94 });
  });
});

describe('TPOT, ITL and E2EL as vLLM defines them', () => {
  // A: send at 0, chunks at 100, 120, 150, 190 ms, done at 200 → TTFT 100, TPOT (200−100)/3.
  const a = timeline(0, [100, 120, 150, 190], 200);
  // B: send at 50, chunks at 40 and 100 (after send), done at 100 → TTFT 40, TPOT 60.
  const b = timeline(50, [40, 100], 100);
  // C: one token only: no TPOT, but its TTFT and E2EL count.
  const c = timeline(60, [30], 30);

  it('excludes the first token from TPOT and skips single-token requests', () => {
    expect(requestTpotMs(a)).toBeCloseTo(100 / 3, 9);
    expect(requestTpotMs(b)).toBe(60);
    expect(requestTpotMs(c)).toBeUndefined();
  });

  it('pools every inter-chunk gap into ITL and averages TPOT per request', () => {
    const m = computeServeMetrics([a, b, c], 1000, [50], undefined);
    expect(m.itlMs.mean).toBe(Math.round(((20 + 30 + 40 + 60) / 4) * 1000) / 1000);
    expect(m.itlMs.median).toBe(35);
    expect(m.tpotMs.mean).toBe(Math.round(((100 / 3 + 60) / 2) * 1000) / 1000);
    expect(m.ttftMs.mean).toBe(Math.round((170 / 3) * 1000) / 1000);
    expect(m.e2elMs.median).toBe(100);
  });

  it('counts throughput over the run duration and lists failures by reason', () => {
    const m = computeServeMetrics(
      [a, b, c, failed('http 503'), failed('http 503'), failed('timeout')],
      2000,
      [99],
      undefined,
    );
    expect(m.completed).toBe(3);
    expect(m.failed).toBe(3);
    expect(m.failures).toEqual({ 'http 503': 2, timeout: 1 });
    expect(m.totalOutputTokens).toBe(7);
    expect(m.totalInputTokens).toBe(300);
    expect(m.requestThroughput).toBe(1.5);
    expect(m.outputThroughput).toBe(3.5);
    expect(m.totalTokenThroughput).toBe(153.5);
    expect(m.requestGoodput).toBeUndefined();
  });

  it('finds the peak concurrency and peak output tokens in one second', () => {
    expect(peakConcurrency([a, b, c])).toBe(3);
    expect(peakConcurrency([timeline(0, [1], 10), timeline(10, [1], 10)])).toBe(1);
    const m = computeServeMetrics([a, b, timeline(1500, [10, 20], 30)], 2000, [50], undefined);
    expect(m.maxOutputTokensPerS).toBe(6);
  });
});

describe('goodput', () => {
  const fast = timeline(0, [50, 60, 70], 70); // TTFT 50, TPOT 10, E2EL 70
  const slowStart = timeline(0, [400, 410, 420], 420); // TTFT 400, TPOT 10
  const slowDecode = timeline(0, [50, 150, 250], 250); // TTFT 50, TPOT 100
  const single = timeline(0, [90], 90); // one token: TPOT counts as 0

  it('keeps a request only when it meets every given SLO, inclusive', () => {
    expect(meetsSlos(fast, { ttft: 50, tpot: 10 })).toBe(true);
    expect(meetsSlos(slowStart, { ttft: 200 })).toBe(false);
    expect(meetsSlos(slowDecode, { ttft: 200 })).toBe(true);
    expect(meetsSlos(slowDecode, { ttft: 200, tpot: 50 })).toBe(false);
    expect(meetsSlos(single, { tpot: 1 })).toBe(true);
    expect(meetsSlos(slowStart, { e2el: 400 })).toBe(false);
  });

  it('reports good requests per second of the run', () => {
    const m = computeServeMetrics(
      [fast, slowStart, slowDecode, single, failed('timeout')],
      2000,
      [50],
      {
        ttft: 200,
        tpot: 50,
      },
    );
    expect(m.goodRequests).toBe(2);
    expect(m.requestGoodput).toBe(1);
  });
});
