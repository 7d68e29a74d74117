import { describe, expect, it } from 'vitest';
import { ALGORITHMS } from '../../../../src/routing/index.js';
import { anEndpoint, aRequest, pickWith, someMetrics } from '../../../helpers/routing-builders.js';
import { describeAlgorithmContract } from '../algorithm-contract.js';

const algo = ALGORITHMS.get('throughput')!;
describeAlgorithmContract(algo);

const rates = (id: string, prompt: number, generation: number, windowMs = 10_000) =>
  anEndpoint(id, {
    metrics: someMetrics({
      window: { windowMs, promptTokensPerSecond: prompt, generationTokensPerSecond: generation },
    }),
  });

describe('throughput', () => {
  it.each([
    [
      'least token load wins',
      [rates('n/0', 100, 10), rates('n/1', 10, 10), rates('n/2', 50, 50)],
      'n/1',
    ],
    ['prompt tokens weigh twice', [rates('n/0', 100, 0), rates('n/1', 0, 150)], 'n/1'],
    [
      'a one-scrape window is unknown (mean)',
      [rates('n/0', 0, 0, 0), rates('n/1', 10, 0), rates('n/2', 30, 0)],
      'n/1',
    ],
  ])('%s', (_name, endpoints, expected) => {
    expect(pickWith(algo, endpoints, aRequest())).toBe(expected);
  });

  it('scores 2 × prompt + generation tokens/s', () => {
    const scores = algo.score({ nowMs: 0, endpoints: [rates('n/0', 7, 3)] }, aRequest(), {
      rng: { next: () => 0 },
      state: undefined as never,
      prefixIndex: undefined as never,
    });
    expect(scores).toEqual([17]);
  });
});
