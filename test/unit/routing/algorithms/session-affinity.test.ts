import { describe, expect, it } from 'vitest';
import { ALGORITHMS } from '../../../../src/routing/index.js';
import { rendezvousIndex } from '../../../../src/routing/algorithms/session-affinity.js';
import {
  anEndpoint,
  aRequest,
  pickWith,
  aRoutingMemory,
} from '../../../helpers/routing-builders.js';
import { describeAlgorithmContract } from '../algorithm-contract.js';

const algo = ALGORITHMS.get('session-affinity')!;
describeAlgorithmContract(algo);

const four = () => [0, 1, 2, 3].map((i) => anEndpoint(`n/${i}`));

describe('session-affinity', () => {
  it('a new session goes to its rendezvous winner, whatever the seed', () => {
    const endpoints = four();
    const expected = endpoints[rendezvousIndex('s-1', endpoints)]!.id;
    for (let seed = 0; seed < 10; seed++)
      expect(pickWith(algo, endpoints, aRequest({ sessionId: 's-1' }), { seed })).toBe(expected);
  });

  it('sticks to where the session went, even when that was not the hash winner', () => {
    const state = aRoutingMemory();
    const endpoints = four();
    const winner = rendezvousIndex('s-2', endpoints);
    const other = endpoints[(winner + 1) % 4]!;
    state.state.sessions.remember('s-2', other.id, 1_000);
    expect(pickWith(algo, endpoints, aRequest({ sessionId: 's-2' }), { state })).toBe(other.id);
  });

  it('moves only the sessions of an endpoint that left', () => {
    const endpoints = four();
    const sessions = Array.from({ length: 200 }, (_, i) => `session-${i}`);
    const before = sessions.map((s) => endpoints[rendezvousIndex(s, endpoints)]!.id);
    const without = endpoints.filter((e) => e.id !== 'n/2');
    sessions.forEach((s, i) => {
      const after = without[rendezvousIndex(s, without)]!.id;
      if (before[i] !== 'n/2') expect(after).toBe(before[i]);
    });
    expect(new Set(before).size).toBe(4);
  });

  it('re-homes a session whose endpoint is gone, then sticks there', () => {
    const state = aRoutingMemory();
    state.state.sessions.remember('s-3', 'n/9', 1_000);
    const endpoints = four();
    const first = pickWith(algo, endpoints, aRequest({ sessionId: 's-3' }), { state });
    expect(first).toBe(endpoints[rendezvousIndex('s-3', endpoints)]!.id);
    expect(state.state.sessions.lookup('s-3', 1_000)).toBe(first);
  });

  it('forgets idle sessions after the TTL and bounds the table', () => {
    const state = aRoutingMemory();
    state.state.sessions.remember('s-4', 'n/1', 0);
    expect(state.state.sessions.lookup('s-4', 3_600_000)).toBe('n/1');
    expect(state.state.sessions.lookup('s-4', 3_600_001)).toBeUndefined();
    state.state.sessions.remember('x'.repeat(10_000), 'n/1', 0);
    expect(state.state.sessions.lookup('x'.repeat(10_000), 0)).toBe('n/1');
  });

  it('is neutral without a session id', () => {
    const scores = algo.score({ nowMs: 0, endpoints: four() }, aRequest(), {
      rng: { next: () => 0 },
      ...aRoutingMemory(),
    });
    expect(scores).toEqual([0, 0, 0, 0]);
  });
});
