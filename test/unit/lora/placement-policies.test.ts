import { describe, expect, it } from 'vitest';
import {
  placementPolicyFor,
  rankCandidates,
  type PlacementPolicy,
} from '../../../src/lora/index.js';
import { ADAPTER, anEngine } from '../../helpers/lora-builders.js';

const none = new Set<string>();
const rank = (
  engines: ReturnType<typeof anEngine>[],
  policy: PlacementPolicy,
  nodesHolding: ReadonlySet<string> = none,
  random = 0,
): string[] =>
  rankCandidates(engines, policy, { adapter: ADAPTER, nodesHolding, random }).map((e) => e.id);

describe('rankCandidates', () => {
  const engines = [
    anEngine('a', 'n1', { maxLoras: 4, loaded: ['x', 'y'], load: 1 }),
    anEngine('b', 'n2', { maxLoras: 4, loaded: [], load: 9 }),
    anEngine('c', 'n3', { maxLoras: 8, loaded: ['x', 'y', 'z'], load: 5 }),
    anEngine('d', 'n4', { maxLoras: 4, loaded: ['x', 'y', 'z'], load: 3 }),
  ];

  it.each<[PlacementPolicy, string[]]>([
    // Fewest loaded adapters first.
    ['leastAdapters', ['b', 'a', 'c', 'd']],
    // Least remaining slots first: d has 1, a 2, b 4, c 5.
    ['binPack', ['d', 'a', 'b', 'c']],
    ['leastLoad', ['a', 'd', 'c', 'b']],
  ])('%s orders %j', (policy, want) => {
    expect(rank(engines, policy)).toEqual(want);
  });

  it('does not count the adapter itself as a used slot', () => {
    const own = [
      anEngine('a', 'n1', { loaded: ['x', ADAPTER] }),
      anEngine('b', 'n2', { loaded: ['x', 'y'] }),
    ];
    expect(rank(own, 'leastAdapters')).toEqual(['a', 'b']);
  });

  it('breaks ties by spreading across nodes, then by id', () => {
    const tied = [
      anEngine('a', 'n1'),
      anEngine('b', 'n1'),
      anEngine('c', 'n2'),
      anEngine('d', 'n3'),
    ];
    expect(rank(tied, 'leastAdapters', new Set(['n1']))).toEqual(['c', 'd', 'a', 'b']);
    expect(rank(tied, 'binPack', new Set(['n2', 'n3']))).toEqual(['a', 'b', 'c', 'd']);
  });

  it('keeps the policy ahead of the spread', () => {
    const list = [anEngine('a', 'n1', { load: 1 }), anEngine('b', 'n2', { load: 2 })];
    expect(rank(list, 'leastLoad', new Set(['n1']))).toEqual(['a', 'b']);
  });

  it('random: the same number gives the same order; every engine can come first', () => {
    const four = [
      anEngine('a', 'n1'),
      anEngine('b', 'n2'),
      anEngine('c', 'n3'),
      anEngine('d', 'n4'),
    ];
    expect(rank(four, 'random', none, 0.3)).toEqual(rank([...four].reverse(), 'random', none, 0.3));
    const firsts = [0, 0.25, 0.5, 0.75, 0.999].map((r) => rank(four, 'random', none, r)[0]);
    expect(firsts).toEqual(['a', 'b', 'c', 'd', 'd']);
  });

  it('random spreads before drawing', () => {
    const list = [anEngine('a', 'n1'), anEngine('b', 'n1'), anEngine('c', 'n2')];
    expect(rank(list, 'random', new Set(['n1']), 0)).toEqual(['c', 'a', 'b']);
  });

  it('does not mutate its input', () => {
    const input = [anEngine('b', 'n1', { load: 1 }), anEngine('a', 'n2', { load: 2 })];
    rank(input, 'leastLoad');
    expect(input.map((e) => e.id)).toEqual(['b', 'a']);
  });
});

describe('placementPolicyFor', () => {
  it.each([
    [undefined, 'leastAdapters'],
    ['default', 'leastAdapters'],
    ['leastAdapters', 'leastAdapters'],
    ['binPack', 'binPack'],
    ['leastLoad', 'leastLoad'],
    ['leastLatency', 'leastLoad'],
    ['leastThroughput', 'leastLoad'],
    ['random', 'random'],
    ['mostAdapters', undefined],
  ])('%s → %s', (name, policy) => {
    expect(placementPolicyFor(name)).toBe(policy);
  });
});
