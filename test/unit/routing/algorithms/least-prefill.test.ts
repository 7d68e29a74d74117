import { describe, expect, it } from 'vitest';
import { ALGORITHMS } from '../../../../src/routing/index.js';
import { aRequest, anEndpoint, pickWith } from '../../../helpers/routing-builders.js';
import { describeAlgorithmContract } from '../algorithm-contract.js';

const leastPrefill = ALGORITHMS.get('least-prefill')!;
describeAlgorithmContract(leastPrefill);

describe('least-prefill', () => {
  it.each([
    ['one long prompt outweighs many short ones', [40_000, 5_000, 9_000], [1, 8, 3], 'n/1'],
    ['the count of requests does not matter', [0, 100, 100], [6, 0, 0], 'n/0'],
    ['no queue anywhere: a tie the RNG breaks', [0, 0, 0], [0, 0, 0], undefined],
  ])('%s', (_name, queued, inFlight, expected) => {
    const endpoints = queued.map((pendingPrefillTokens, i) =>
      anEndpoint(`n/${i}`, { pendingPrefillTokens, inFlight: inFlight[i] }),
    );
    const chosen = new Set(
      [1, 2, 3, 4, 5, 6, 7, 8].map((seed) =>
        pickWith(leastPrefill, endpoints, aRequest(), { seed }),
      ),
    );
    if (expected === undefined) expect(chosen.size).toBeGreaterThan(1);
    else expect([...chosen]).toEqual([expected]);
  });
});
