import { describe, expect, it } from 'vitest';
import { ALGORITHMS } from '../../../../src/routing/index.js';
import { anEndpoint, aRequest, pickWith, someMetrics } from '../../../helpers/routing-builders.js';
import { describeAlgorithmContract } from '../algorithm-contract.js';

const algo = ALGORITHMS.get('least-kv-cache')!;
describeAlgorithmContract(algo);

const kv = (id: string, ratio: number | undefined, stale = false) =>
  anEndpoint(id, {
    stale,
    metrics:
      ratio === undefined ? undefined : someMetrics({ scrape: { kvCacheUsageRatio: ratio } }),
  });

describe('least-kv-cache', () => {
  it.each([
    ['lowest usage wins', [kv('n/0', 0.9), kv('n/1', 0.2), kv('n/2', 0.5)], 'n/1'],
    [
      'missing metrics count as the fresh mean',
      [kv('n/0', 0.9), kv('n/1', undefined), kv('n/2', 0.1)],
      'n/2',
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
      { nowMs: 0, endpoints: [kv('n/0', 0.3), kv('n/1', undefined), kv('n/2', 0.5, true)] },
      aRequest(),
      { rng: { next: () => 0 }, state: undefined as never, prefixIndex: undefined as never },
    );
    expect(scores[0]).toBeCloseTo(0.3);
    expect(scores[1]).toBeCloseTo(0.3);
    expect(scores[2]).toBeCloseTo(0.4);
  });
});
