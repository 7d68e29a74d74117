import { describe, expect, it } from 'vitest';
import { ALGORITHMS } from '../../../../src/routing/index.js';
import { anEndpoint, aRequest, pickWith, someMetrics } from '../../../helpers/routing-builders.js';
import { describeAlgorithmContract } from '../algorithm-contract.js';

const algo = ALGORITHMS.get('least-kv-cache')!;
describeAlgorithmContract(algo);

const kv = (id: string, ratio: number | undefined, stale = false, inFlight = 0) =>
  anEndpoint(id, {
    stale,
    inFlight,
    metrics:
      ratio === undefined ? undefined : someMetrics({ scrape: { kvCacheUsageRatio: ratio } }),
  });

describe('least-kv-cache', () => {
  it.each([
    ['lowest usage wins', [kv('n/0', 0.9), kv('n/1', 0.2), kv('n/2', 0.5)], 'n/1'],
    [
      'an engine without data puts every candidate on the gateway in-flight counts',
      [kv('n/0', 0.9, false, 0), kv('n/1', undefined, false, 2), kv('n/2', 0.1, false, 1)],
      'n/0',
    ],
    [
      'a stale low figure counts only half',
      [kv('n/0', 0.9), kv('n/1', 0.1, true), kv('n/2', 0.3)],
      'n/2',
    ],
  ])('%s', (_name, endpoints, expected) => {
    expect(pickWith(algo, endpoints, aRequest())).toBe(expected);
  });

  it('scores on the fixed 0–1 scale, never NaN', () => {
    const scores = algo.score(
      { nowMs: 0, endpoints: [kv('n/0', 0.3), kv('n/1', 0.5, true)] },
      aRequest(),
      { rng: { next: () => 0 }, state: undefined as never, prefixIndex: undefined as never },
    );
    expect(scores[0]).toBeCloseTo(0.3);
    expect(scores[1]).toBeCloseTo(0.4);
  });

  it('reads a missing KV gauge as no data, not as an empty cache', () => {
    const dark = anEndpoint('n/dark', {
      inFlight: 4,
      metrics: someMetrics({ scrape: { kvCacheUsageRatio: undefined } }),
    });
    const scores = algo.score(
      { nowMs: 0, endpoints: [dark, kv('n/1', 0.6, false, 1)] },
      aRequest(),
      { rng: { next: () => 0 }, state: undefined as never, prefixIndex: undefined as never },
    );
    expect(scores).toEqual([4 / 5, 1 / 5]);
  });
});
