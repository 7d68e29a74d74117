import { describe, expect, it } from 'vitest';
import {
  ALGORITHMS,
  defaultRoutingConfig,
  type EndpointLoad,
} from '../../../../src/routing/index.js';
import {
  anEndpoint,
  pickWith,
  someMetrics,
  fillerText,
  promptRequest,
  aRoutingMemory,
} from '../../../helpers/routing-builders.js';

const algo = ALGORITHMS.get('prefix-cache')!;

const text = fillerText;
const prompt = promptRequest;

/** An endpoint whose engine reports `kvCapacityTokens` (undefined: reports none). */
const withCapacity = (id: string, kvCapacityTokens: number | undefined, inFlight = 0) =>
  anEndpoint(id, { inFlight, metrics: someMetrics({ scrape: { kvCapacityTokens } }) });

describe('prefix-cache with capacity-aware endpoints', () => {
  // Each conversation is 2048 tokens = 32 indexed blocks (64 tokens each by default).
  const old = text('long-ago', 8_192);
  const later = [1, 2, 3, 4].map((i) => text(`later-${i}`, 8_192));

  it.each([
    // name, engine's reported KV capacity, default capacity, where `old` goes at the end
    ['small engine: the old prompt was evicted, least-loaded wins', 4_096, 400_000, 'n/1'],
    ['large engine: the old prompt is still held', 427_200, 400_000, 'n/0'],
    ['no report, large default: still held', undefined, 400_000, 'n/0'],
    ['no report, small default: evicted', undefined, 4_096, 'n/1'],
  ])('%s', (_name, capacity, defaultTokens, expected) => {
    const defaults = defaultRoutingConfig();
    const state = aRoutingMemory({
      ...defaults,
      prefixCache: { ...defaults.prefixCache, defaultEndpointCapacityTokens: defaultTokens },
    });
    const alone = [withCapacity('n/0', capacity)];
    // The old prompt, then 8k tokens of other prompts, all on n/0 (the only candidate).
    pickWith(algo, alone, prompt(old), { state, nowMs: 1_000 });
    later.forEach((p, i) => pickWith(algo, alone, prompt(p), { state, nowMs: 2_000 + i }));
    // n/0 is a little busier: only a match can win it the request.
    const endpoints: EndpointLoad[] = [withCapacity('n/0', capacity, 2), withCapacity('n/1', 0)];
    expect(pickWith(algo, endpoints, prompt(`${old} one more question`), { state })).toBe(expected);
  });

  it('the most recent prompts still attract their follow-ups on a small engine', () => {
    // Full-size index: what is tested is the engine's capacity, not a small test index.
    const state = aRoutingMemory(defaultRoutingConfig());
    const alone = [withCapacity('n/0', 4_096)];
    pickWith(algo, alone, prompt(old), { state });
    later.forEach((p) => pickWith(algo, alone, prompt(p), { state }));
    const endpoints = [withCapacity('n/0', 4_096, 2), withCapacity('n/1', 0)];
    const last = later[3]!;
    expect(pickWith(algo, endpoints, prompt(`${last} and a follow-up`), { state })).toBe('n/0');
    expect(state.prefixIndex.heldBy('n/0')).toBe(4_096 / 64);
  });
});
