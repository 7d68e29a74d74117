import { describe, expect, it } from 'vitest';
import { SeededRng } from '../../../../src/shared/index.js';
import { ALGORITHMS, pick } from '../../../../src/routing/index.js';
import { aRequest, anEndpoint, aRoutingMemory } from '../../../helpers/routing-builders.js';
import { describeAlgorithmContract } from '../algorithm-contract.js';

const leastRequest = ALGORITHMS.get('least-request')!;
describeAlgorithmContract(leastRequest);

describe('least-request', () => {
  it.each([
    [[5, 1, 3], 'n/1'],
    [[0, 4, 4], 'n/0'],
    [[9, 9, 2], 'n/2'],
  ])('with in-flight %j picks %s', (loads, expected) => {
    const endpoints = loads.map((inFlight, i) => anEndpoint(`n/${i}`, { inFlight }));
    const chosen = pick(
      { nowMs: 0, endpoints },
      aRequest(),
      [{ algorithm: leastRequest, weight: 1 }],
      {
        rng: new SeededRng(1),
        ...aRoutingMemory(),
      },
    );
    expect(chosen.id).toBe(expected);
  });

  it('breaks ties at random among the least loaded', () => {
    const endpoints = [
      anEndpoint('n/0', { inFlight: 1 }),
      anEndpoint('n/1', { inFlight: 1 }),
      anEndpoint('n/2', { inFlight: 5 }),
    ];
    const rng = new SeededRng(11);
    const seen = new Set<string>();
    for (let i = 0; i < 50; i++) {
      seen.add(
        pick({ nowMs: 0, endpoints }, aRequest(), [{ algorithm: leastRequest, weight: 1 }], {
          rng,
          ...aRoutingMemory(),
        }).id,
      );
    }
    expect([...seen].sort()).toEqual(['n/0', 'n/1']);
  });
});
