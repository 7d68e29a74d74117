import { describe, expect, it } from 'vitest';
import { ALGORITHMS, defaultRoutingConfig } from '../../../../src/routing/index.js';
import {
  anEndpoint,
  aRequest,
  pickWith,
  aRoutingMemory,
} from '../../../helpers/routing-builders.js';
import { describeAlgorithmContract } from '../algorithm-contract.js';

const algo = ALGORITHMS.get('vtc-basic')!;
describeAlgorithmContract(algo);

const four = () => [0, 1, 2, 3].map((i) => anEndpoint(`n/${i}`));

describe('vtc-basic', () => {
  it('a new user lands on the first endpoint (index 0 by id)', () => {
    expect(pickWith(algo, four(), aRequest({ user: 'alice' }))).toBe('n/0');
  });

  it.each([
    [0, 'n/0'],
    [1000, 'n/1'],
    [2000, 'n/2'],
    [3000, 'n/3'],
    [50_000, 'n/3'],
  ])('a user with %d weighted tokens (bucket 1000) goes to %s', (tokens, expected) => {
    const defaults = defaultRoutingConfig();
    const state = aRoutingMemory({
      ...defaults,
      vtc: { ...defaults.vtc, maxBucketTokens: 1000 },
    });
    if (tokens > 0) state.state.vtc.add('bob', tokens, 1_000);
    expect(pickWith(algo, four(), aRequest({ user: 'bob' }), { state })).toBe(expected);
  });

  it('load pulls a user off a saturated endpoint', () => {
    const endpoints = [anEndpoint('n/0', { inFlight: 100 }), anEndpoint('n/1'), anEndpoint('n/2')];
    expect(pickWith(algo, endpoints, aRequest({ user: 'carol' }))).toBe('n/1');
  });

  it('counts prompt × 1 + estimated output × 2 after routing, within the window', () => {
    const state = aRoutingMemory();
    pickWith(algo, four(), aRequest({ user: 'dave', promptTokens: 100, maxTokens: undefined }), {
      state,
      nowMs: 1_000,
    });
    expect(state.state.vtc.tokens('dave', 1_000)).toBe(100 + 150 * 2);
    pickWith(algo, four(), aRequest({ user: 'dave', promptTokens: 100, maxTokens: 10 }), {
      state,
      nowMs: 2_000,
    });
    expect(state.state.vtc.tokens('dave', 2_000)).toBe(400 + 120);
    expect(state.state.vtc.tokens('dave', 1_000 + 300_000 + 30_000)).toBe(0);
  });

  it('the bucket follows the active users’ mean of min and max', () => {
    const state = aRoutingMemory();
    state.state.vtc.add('light', 6000, 0);
    state.state.vtc.add('heavy', 10_000, 0);
    expect(state.state.vtc.range(0)).toEqual([6000, 10_000]);
    // bucket = clamp(8000, 1000, 8000) = 8000: heavy → 1.25 → n/1.
    expect(pickWith(algo, four(), aRequest({ user: 'heavy' }), { state, nowMs: 0 })).toBe('n/1');
  });

  it('is neutral without a user', () => {
    const scores = algo.score({ nowMs: 0, endpoints: four() }, aRequest(), {
      rng: { next: () => 0.5 },
      ...aRoutingMemory(),
    });
    expect(new Set(scores).size).toBe(1);
  });
});
