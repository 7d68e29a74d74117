import { describe, expect, it } from 'vitest';
import { SeededRng } from '../../../../src/shared/index.js';
import { ALGORITHMS } from '../../../../src/routing/index.js';
import {
  anEndpoint,
  aRequest,
  pickWith,
  aRoutingMemory,
} from '../../../helpers/routing-builders.js';
import { describeAlgorithmContract } from '../algorithm-contract.js';

const algo = ALGORITHMS.get('power-of-two')!;
describeAlgorithmContract(algo);

describe('power-of-two', () => {
  it('scores exactly two candidates, the less loaded 1 and the other 0.5', () => {
    const endpoints = [0, 5, 2, 9].map((inFlight, i) => anEndpoint(`n/${i}`, { inFlight }));
    for (let seed = 0; seed < 30; seed++) {
      const scores = algo.score({ nowMs: 0, endpoints }, aRequest(), {
        rng: new SeededRng(seed),
        ...aRoutingMemory(),
      });
      const drawn = scores.map((s, i) => [s, i] as const).filter(([s]) => s > 0);
      expect(drawn).toHaveLength(2);
      const [[sa, a], [sb, b]] = drawn as [[number, number], [number, number]];
      const [la, lb] = [endpoints[a]!.inFlight, endpoints[b]!.inFlight];
      expect(sa).toBe(la <= lb ? 1 : 0.5);
      expect(sb).toBe(lb <= la ? 1 : 0.5);
    }
  });

  it('never picks the most loaded of many, and spreads over the rest', () => {
    const endpoints = [1, 1, 1, 50].map((inFlight, i) => anEndpoint(`n/${i}`, { inFlight }));
    const seen = new Set<string>();
    for (let seed = 0; seed < 60; seed++) seen.add(pickWith(algo, endpoints, aRequest(), { seed }));
    expect([...seen].sort()).toEqual(['n/0', 'n/1', 'n/2']);
  });

  it('handles a single candidate', () => {
    expect(
      algo.score({ nowMs: 0, endpoints: [anEndpoint('n/0')] }, aRequest(), {
        rng: new SeededRng(1),
        ...aRoutingMemory(),
      }),
    ).toEqual([1]);
  });
});
