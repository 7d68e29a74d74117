import { describe, expect, it } from 'vitest';
import { ALGORITHMS } from '../../../../src/routing/index.js';
import { expectedLatencySeconds } from '../../../../src/routing/algorithms/least-latency.js';
import { anEndpoint, aRequest, pickWith, someMetrics } from '../../../helpers/routing-builders.js';
import { describeAlgorithmContract } from '../algorithm-contract.js';

const algo = ALGORITHMS.get('least-latency')!;
describeAlgorithmContract(algo);

const lat = (queue: number, prefill: number, decode: number, promptTok = 100, genTok = 100) =>
  someMetrics({
    window: {
      meanQueueSeconds: queue,
      meanPrefillSeconds: prefill,
      meanDecodeSeconds: decode,
      meanPromptTokens: promptTok,
      meanGenerationTokens: genTok,
    },
  });

const ctx = { rng: { next: () => 0 }, state: undefined as never, prefixIndex: undefined as never };

describe('least-latency', () => {
  it('follows AIBrix: queue + prefill/token × prompt + decode/token × output', () => {
    // 0.5 + 1/100·200 + 4/100·50
    expect(expectedLatencySeconds(lat(0.5, 1, 4).window, 200, 50)).toBeCloseTo(4.5);
  });

  it('uses the request prompt and the cross-endpoint mean output (capped by max_tokens)', () => {
    const endpoints = [
      anEndpoint('n/0', { metrics: lat(0, 1, 1, 100, 100) }),
      anEndpoint('n/1', { metrics: lat(0, 1, 1, 100, 300) }),
    ];
    // Output guess = mean(100, 300) = 200; max_tokens 50 caps it.
    const uncapped = algo.score(
      { nowMs: 0, endpoints },
      aRequest({ promptTokens: 100, maxTokens: undefined }),
      ctx,
    );
    expect(uncapped[0]).toBeCloseTo(1 + 2);
    const capped = algo.score(
      { nowMs: 0, endpoints },
      aRequest({ promptTokens: 100, maxTokens: 50 }),
      ctx,
    );
    expect(capped[0]).toBeCloseTo(1 + 0.5);
  });

  it.each([
    ['stale metrics', lat(0, 0.1, 0.1), true],
    ['no finished requests in the window', someMetrics(), false],
  ])('scores NaN with %s', (_name, metrics, stale) => {
    const scores = algo.score(
      { nowMs: 0, endpoints: [anEndpoint('n/0', { metrics, stale })] },
      aRequest(),
      ctx,
    );
    expect(scores[0]).toBeNaN();
  });

  it.each([
    [
      'fastest prefill wins a long prompt',
      [lat(0.1, 2, 1), lat(0.1, 0.5, 1), lat(0.1, 1, 1)],
      'n/1',
    ],
    ['queueing dominates', [lat(5, 0.1, 0.1), lat(0, 0.2, 0.2), lat(3, 0, 0)], 'n/1'],
    ['unknown for now ranks last', [someMetrics(), lat(9, 9, 9), lat(10, 10, 10)], 'n/1'],
  ])('%s', (_name, metrics, expected) => {
    const endpoints = metrics.map((m, i) => anEndpoint(`n/${i}`, { metrics: m }));
    expect(pickWith(algo, endpoints, aRequest({ promptTokens: 1000 }))).toBe(expected);
  });

  it('scores every candidate on the gateway in-flight counts when one has no metrics', () => {
    const endpoints = [
      anEndpoint('n/0', { metrics: undefined, inFlight: 1 }),
      anEndpoint('n/1', { metrics: lat(0, 0.1, 0.1), inFlight: 3 }),
    ];
    expect(algo.score({ nowMs: 0, endpoints }, aRequest(), ctx)).toEqual([1 / 4, 3 / 4]);
  });
});
