import { describe, expect, it } from 'vitest';
import { ALGORITHMS, type EndpointLoad } from '../../../../src/routing/index.js';
import {
  anEndpoint,
  pickWith,
  fillerText,
  promptRequest,
  aRoutingMemory,
  type RoutingMemory,
} from '../../../helpers/routing-builders.js';

const algo = ALGORITHMS.get('prefix-cache')!;

const text = fillerText;
const prompt = promptRequest;

/** A 4-endpoint cluster where `n/1` holds a 2000-token prompt (1984 tokens in indexed blocks). */
function clusterWithHolder(): { state: RoutingMemory; long: string } {
  const state = aRoutingMemory();
  const long = text('queued', 8_000);
  const endpoints = [0, 1, 2, 3].map((i) => anEndpoint(`n/${i}`));
  algo.score({ nowMs: 1_000, endpoints }, prompt(long), { rng: { next: () => 0 }, ...state });
  state.prefixIndex.insert(state.prefixIndex.memo!.hashes, 'n/1', 1_000);
  state.prefixIndex.memo = undefined;
  return { state, long };
}

const withQueue = (queued: readonly number[]): EndpointLoad[] =>
  queued.map((pendingPrefillTokens, i) => anEndpoint(`n/${i}`, { pendingPrefillTokens }));

describe('prefix-cache weighs a match against the prefill queued on its holder', () => {
  it.each([
    ['no queue anywhere: the holder', [0, 0, 0, 0], 'n/1'],
    ['a queue shorter than the match: still the holder', [0, 1_500, 0, 0], 'n/1'],
    ['a queue longer than the match: the idle endpoint', [0, 2_500, 10, 10], 'n/0'],
    ['every other endpoint queued deeper: the holder', [4_000, 3_000, 5_000, 6_000], 'n/1'],
    ['no holder left idle: the shortest queue', [900, 2_500, 300, 700], 'n/2'],
  ])('%s', (_name, queued, expected) => {
    const { state, long } = clusterWithHolder();
    expect(pickWith(algo, withQueue(queued), prompt(long), { state })).toBe(expected);
  });

  it('scores on a fixed 0–1 scale: an idle holder near 1, an idle non-holder near 0', () => {
    const { state, long } = clusterWithHolder();
    const scores = algo.score({ nowMs: 1_000, endpoints: withQueue([0, 0, 0, 0]) }, prompt(long), {
      rng: { next: () => 0 },
      ...state,
    });
    expect(scores[1]).toBeGreaterThan(0.99);
    for (const i of [0, 2, 3]) expect(scores[i]).toBeLessThan(0.01);
  });
});
