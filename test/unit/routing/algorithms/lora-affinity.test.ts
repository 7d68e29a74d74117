import { describe, expect, it } from 'vitest';
import { ALGORITHMS } from '../../../../src/routing/index.js';
import { loraTier } from '../../../../src/routing/algorithms/lora-affinity.js';
import { anEndpoint, aRequest, pickWith, someMetrics } from '../../../helpers/routing-builders.js';
import { describeAlgorithmContract } from '../algorithm-contract.js';

const algo = ALGORITHMS.get('lora-affinity')!;
describeAlgorithmContract(algo);

const withLora = aRequest({ model: 'sql-lora', adapter: 'sql-lora' });

describe('lora-affinity', () => {
  it.each([
    ['loaded', anEndpoint('a', { adapters: ['sql-lora'], maxLoras: 1 }), 2],
    [
      'reported running',
      anEndpoint('a', {
        metrics: someMetrics({
          scrape: { lora: { maxLoras: 2, running: ['sql-lora'], waiting: [] } },
        }),
      }),
      2,
    ],
    ['free slot', anEndpoint('a', { adapters: ['other'], maxLoras: 2 }), 1],
    ['slots full', anEndpoint('a', { adapters: ['x', 'y'], maxLoras: 2 }), 0],
    ['LoRA off', anEndpoint('a'), 0],
  ])('tier: %s', (_name, endpoint, tier) => {
    expect(loraTier(endpoint, withLora)).toBe(tier);
  });

  it.each([
    [
      'loaded beats a free slot even when busier',
      [
        anEndpoint('n/0', { maxLoras: 4, inFlight: 0 }),
        anEndpoint('n/1', { adapters: ['sql-lora'], maxLoras: 4, inFlight: 20 }),
      ],
      'n/1',
    ],
    [
      'a free slot beats a full engine',
      [
        anEndpoint('n/0', { adapters: ['a'], maxLoras: 1 }),
        anEndpoint('n/1', { adapters: ['a'], maxLoras: 2, inFlight: 9 }),
      ],
      'n/1',
    ],
    [
      'then least in flight',
      [
        anEndpoint('n/0', { adapters: ['sql-lora'], maxLoras: 2, inFlight: 5 }),
        anEndpoint('n/1', { adapters: ['sql-lora'], maxLoras: 2, inFlight: 2 }),
      ],
      'n/1',
    ],
  ])('%s', (_name, endpoints, expected) => {
    expect(pickWith(algo, endpoints, withLora)).toBe(expected);
  });

  it('without an adapter is least in flight', () => {
    const endpoints = [3, 1, 2].map((inFlight, i) => anEndpoint(`n/${i}`, { inFlight }));
    expect(pickWith(algo, endpoints, aRequest())).toBe('n/1');
  });
});
