import { describe, expect, it } from 'vitest';
import { ALGORITHMS, pick } from '../../../../src/routing/index.js';
import { aRequest, anEndpoint, aRoutingContext } from '../../../helpers/routing-builders.js';
import { describeAlgorithmContract } from '../algorithm-contract.js';

const random = ALGORITHMS.get('random')!;
describeAlgorithmContract(random);

describe('random', () => {
  it('is uniform over 4 endpoints: χ² over 200 picks passes at α = 0.01', () => {
    const endpoints = [0, 1, 2, 3].map((i) => anEndpoint(`n/${i}`, { inFlight: i }));
    const ctx = aRoutingContext(2024);
    const counts = new Map<string, number>();
    for (let i = 0; i < 200; i++) {
      const id = pick(
        { nowMs: 0, endpoints },
        aRequest(),
        [{ algorithm: random, weight: 1 }],
        ctx,
      ).id;
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    const expected = 50;
    const chi2 = [...counts.values()].reduce((s, c) => s + (c - expected) ** 2 / expected, 0);
    // Critical value of χ² with 3 degrees of freedom at α = 0.01.
    expect(counts.size).toBe(4);
    expect(chi2).toBeLessThan(11.345);
  });
});
