import { describe, expect, it } from 'vitest';
import { parseStrategy, pick, type RoutingAlgorithm } from '../../../src/routing/index.js';
import { aRequest, anEndpoint, aRoutingContext } from '../../helpers/routing-builders.js';

const fixed = (
  name: string,
  polarity: RoutingAlgorithm['polarity'],
  scores: number[],
): RoutingAlgorithm => ({
  name,
  polarity,
  description: name,
  score: () => scores,
});

describe('pick (score fusion)', () => {
  const endpoints = [anEndpoint('n/0'), anEndpoint('n/1'), anEndpoint('n/2')];
  const ctx = () => aRoutingContext(5);

  it('normalizes with polarity and weights', () => {
    // a prefers n/0 strongly (higher is better); b prefers n/2 (lower is better).
    const a = fixed('a', 'higher-is-better', [10, 5, 0]);
    const b = fixed('b', 'lower-is-better', [100, 50, 0]);
    expect(
      pick(
        { nowMs: 0, endpoints },
        aRequest(),
        [
          { algorithm: a, weight: 3 },
          { algorithm: b, weight: 1 },
        ],
        ctx(),
      ).id,
    ).toBe('n/0');
    expect(
      pick(
        { nowMs: 0, endpoints },
        aRequest(),
        [
          { algorithm: a, weight: 1 },
          { algorithm: b, weight: 3 },
        ],
        ctx(),
      ).id,
    ).toBe('n/2');
  });

  it('gives NaN scores the worst rank', () => {
    const a = fixed('a', 'lower-is-better', [Number.NaN, 5, 7]);
    expect(pick({ nowMs: 0, endpoints }, aRequest(), [{ algorithm: a, weight: 1 }], ctx()).id).toBe(
      'n/1',
    );
  });

  it('runs post-route hooks on the winner', () => {
    const routed: string[] = [];
    const a: RoutingAlgorithm = {
      ...fixed('a', 'lower-is-better', [1, 0, 2]),
      onRouted: (e) => routed.push(e.id),
    };
    pick({ nowMs: 0, endpoints }, aRequest(), [{ algorithm: a, weight: 1 }], ctx());
    expect(routed).toEqual(['n/1']);
  });
});

describe('parseStrategy', () => {
  it('parses a name and a weighted list', () => {
    const one = parseStrategy('random');
    expect(one.ok && one.mix.map((m) => [m.algorithm.name, m.weight])).toEqual([['random', 1]]);
    const two = parseStrategy('least-request:3, random:1');
    expect(two.ok && two.mix.map((m) => [m.algorithm.name, m.weight])).toEqual([
      ['least-request', 3],
      ['random', 1],
    ]);
  });

  it.each([
    ['least-kv', /unknown routing strategy "least-kv"; valid: .*random/],
    ['random:-1', /weight/],
    ['random:abc', /weight/],
    ['random:0', /no strategy/],
  ])('rejects %s', (spec, message) => {
    const result = parseStrategy(spec);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toMatch(message);
  });
});
