import { describe, expect, it } from 'vitest';
import { renderChatPrompt } from '../../../../src/engine/index.js';
import {
  ALGORITHMS,
  defaultRoutingConfig,
  type EndpointLoad,
} from '../../../../src/routing/index.js';
import { eligibleForPrefix, sampleChain } from '../../../../src/routing/algorithms/prefix-cache.js';
import {
  anEndpoint,
  pickWith,
  someMetrics,
  fillerText,
  promptRequest,
  aRoutingMemory,
  type RoutingMemory,
} from '../../../helpers/routing-builders.js';
import { describeAlgorithmContract } from '../algorithm-contract.js';

const algo = ALGORITHMS.get('prefix-cache')!;
describeAlgorithmContract(algo);

const text = fillerText;
const prompt = promptRequest;

/** Routes one request and counts it in flight on the chosen endpoint (a live cluster's view). */
function route(
  state: RoutingMemory,
  endpoints: EndpointLoad[],
  promptText: string,
  opts: { seed?: number; nowMs?: number; adapter?: string } = {},
): string {
  const id = pickWith(algo, endpoints, prompt(promptText, { adapter: opts.adapter }), {
    state,
    seed: opts.seed ?? 1,
    nowMs: opts.nowMs ?? 1_000,
  });
  const i = endpoints.findIndex((e) => e.id === id);
  endpoints[i] = { ...endpoints[i]!, inFlight: endpoints[i]!.inFlight + 1 };
  return id;
}

const cluster = (n: number) => Array.from({ length: n }, (_, i) => anEndpoint(`n/${i}`));

describe('prefix-cache', () => {
  it('sends the same long prompt 5 times to the same endpoint', () => {
    const state = aRoutingMemory();
    // Other traffic keeps every endpoint a little busy; each send completes before the next.
    const endpoints = [2, 1, 3, 2, 1, 2, 3, 1].map((inFlight, i) =>
      anEndpoint(`n/${i}`, { inFlight }),
    );
    const long = text('contract', 64_000);
    const chosen = [1, 2, 3, 4, 5].map((seed) =>
      pickWith(algo, endpoints, prompt(long), { state, seed }),
    );
    expect(new Set(chosen).size).toBe(1);
  });

  it('spreads a burst of one prompt once its holder is above mean + 2σ (AIBrix guard)', () => {
    const state = aRoutingMemory();
    const endpoints = cluster(8);
    const long = text('burst', 8_000);
    const chosen = [1, 2, 3].map((seed) => route(state, endpoints, long, { seed }));
    expect(chosen[1]).not.toBe(chosen[0]);
  });

  it('keeps multi-turn conversations (growing prompts) on their endpoint', () => {
    const state = aRoutingMemory();
    const endpoints = cluster(4);
    const talks = ['alpha', 'beta', 'gamma', 'delta'].map((topic) => ({
      topic,
      messages: [{ role: 'system', content: text(topic, 2_000) }] as {
        role: string;
        content: string;
      }[],
      homes: [] as string[],
    }));
    for (let turn = 0; turn < 5; turn++) {
      for (const talk of talks) {
        talk.messages.push({ role: 'user', content: text(`${talk.topic}-q${turn}`, 300) });
        talk.homes.push(
          route(state, endpoints, renderChatPrompt(talk.messages), { seed: turn * 7 + 1 }),
        );
        talk.messages.push({ role: 'assistant', content: text(`${talk.topic}-a${turn}`, 500) });
      }
    }
    for (const talk of talks) expect(new Set(talk.homes).size).toBe(1);
    // Each conversation started on the least-loaded endpoint, so they are spread out.
    expect(new Set(talks.map((t) => t.homes[0])).size).toBe(4);
  });

  it.each([
    ['spread within 16: the match wins', [0, 5, 1, 1], 'n/1'],
    ['spread above 16: only the least loaded', [0, 17, 3, 3], 'n/0'],
    ['above mean + 2σ: skipped', [0, 10, 1, 1, 1, 1, 1, 1, 1, 1], 'n/0'],
  ])('load guards — %s', (_name, loads, expected) => {
    const state = aRoutingMemory();
    const long = text('guarded', 8_000);
    const endpoints = loads.map((inFlight, i) => anEndpoint(`n/${i}`, { inFlight }));
    state.prefixIndex.insert(
      (algo.score({ nowMs: 1_000, endpoints }, prompt(long), { rng: { next: () => 0 }, ...state }),
      state.prefixIndex.memo!.hashes),
      'n/1',
      1_000,
    );
    expect(pickWith(algo, endpoints, prompt(long), { state })).toBe(expected);
  });

  it('guards match AIBrix: sample σ, least loaded always eligible', () => {
    const e = (loads: number[]) => loads.map((inFlight, i) => anEndpoint(`n/${i}`, { inFlight }));
    expect(eligibleForPrefix(e([0, 0, 0, 4]), 16, 1)).toEqual([true, true, true, false]);
    expect(eligibleForPrefix(e([0, 0, 0, 4]), 16, 2)).toEqual([true, true, true, true]);
    expect(eligibleForPrefix(e([0, 20, 0]), 16, 2)).toEqual([true, false, true]);
    expect(eligibleForPrefix(e([7]), 16, 2)).toEqual([true]);
  });

  it('indexes every 4th block of the chain by default', () => {
    expect(sampleChain([0, 1, 2, 3, 4, 5, 6, 7, 8, 9], 4)).toEqual([3, 7]);
    expect(sampleChain([0, 1, 2], 4)).toEqual([]);
    expect(sampleChain([0, 1, 2], 1)).toEqual([0, 1, 2]);
    const state = aRoutingMemory();
    route(state, cluster(2), text('strided', 64 * 4 * 10));
    expect(state.prefixIndex.size).toBe(10);
  });

  it('prefers the longest leading match', () => {
    const state = aRoutingMemory();
    const endpoints = cluster(3);
    const base = text('shared', 4_000);
    route(state, endpoints, base + text('short-tail', 1_000), { seed: 1 });
    const full = base + text('long-tail', 8_000);
    const holder = route(state, endpoints, full, { seed: 2 });
    // Both hold `base`; only `holder` holds the long tail.
    expect(route(state, endpoints, full + ' and one more question', { seed: 3 })).toBe(holder);
  });

  it('without a full block behaves as least-request', () => {
    const endpoints = [3, 1, 2].map((inFlight, i) => anEndpoint(`n/${i}`, { inFlight }));
    expect(pickWith(algo, endpoints, prompt('hi'))).toBe('n/1');
  });

  it('does not share blocks between adapters', () => {
    const state = aRoutingMemory();
    const endpoints = cluster(4);
    const long = text('lora', 8_000);
    const first = route(state, endpoints, long, { adapter: 'a' });
    const scores = algo.score({ nowMs: 1_000, endpoints }, prompt(long, { adapter: 'b' }), {
      rng: { next: () => 0 },
      ...state,
    });
    expect(scores[endpoints.findIndex((e) => e.id === first)]).toBeLessThan(0.5);
  });

  it('an entry older than the TTL is a miss', () => {
    const state = aRoutingMemory();
    const endpoints = cluster(4);
    const long = text('ttl', 8_000);
    const first = route(state, endpoints, long, { nowMs: 0 });
    const i = endpoints.findIndex((e) => e.id === first);
    const at = (nowMs: number) =>
      algo.score({ nowMs, endpoints }, prompt(long), { rng: { next: () => 0 }, ...state })[i]!;
    expect(at(1_200_000)).toBeGreaterThan(0.9);
    expect(at(1_200_001)).toBeLessThan(0.1);
  });

  it('forgets an endpoint whose engine restarted (a counter went back)', () => {
    const state = aRoutingMemory();
    const m = (prompts: number, at: number) =>
      someMetrics({ scrape: { promptTokensTotal: prompts }, scrapedAtMs: at });
    let endpoints = cluster(2).map((e) => ({ ...e, metrics: m(10_000, 1) }));
    const long = text('restart', 8_000);
    const first = route(state, endpoints, long);
    const score = () =>
      algo.score({ nowMs: 1_000, endpoints }, prompt(long), { rng: { next: () => 0 }, ...state })[
        endpoints.findIndex((e) => e.id === first)
      ]!;
    expect(score()).toBeGreaterThan(0.9);
    endpoints = endpoints.map((e) => ({ ...e, metrics: m(e.id === first ? 50 : 20_000, 2) }));
    expect(score()).toBeLessThan(0.1);
    expect(state.prefixIndex.resets).toBe(1);
  });

  describe('an engine reporting far fewer hits than predicted', () => {
    const m = (queries: number, hits: number, at: number) =>
      someMetrics({
        scrape: {
          prefixCacheQueriesTotal: queries,
          prefixCacheHitsTotal: hits,
          promptTokensTotal: queries,
        },
        scrapedAtMs: at,
      });
    const long = text('evicted', 8_000); // 2000 tokens
    /** One engine that saw its first report, then `reports` after 4 routed requests each. */
    function replay(reports: readonly [queries: number, hits: number][]): number {
      const state = aRoutingMemory();
      const endpoints = [anEndpoint('n/0', { metrics: m(0, 0, 1) })];
      const score = () =>
        algo.score({ nowMs: 1_000, endpoints }, prompt(long), { rng: { next: () => 0 }, ...state });
      // pick() skips scoring with one candidate; score once so the index sees the first report.
      score();
      reports.forEach(([queries, hits], i) => {
        for (let r = 0; r < 4; r++) route(state, endpoints, long);
        endpoints[0] = { ...endpoints[0]!, metrics: m(queries, hits, i + 2) };
        score();
      });
      return state.prefixIndex.resets;
    }

    it('forgets it after two short reports in a row', () => {
      // Each window: 4 requests, 3 predicted full hits (6000 of 8000 tokens); the engine saw none.
      expect(replay([[8_000, 0]])).toBe(0);
      expect(
        replay([
          [8_000, 0],
          [16_000, 0],
        ]),
      ).toBe(1);
    });

    it('keeps it when the next report confirms the hits (one window missed them)', () => {
      // The first window counted only a miss: the hits routed after it were still queued.
      expect(
        replay([
          [2_000, 0],
          [10_000, 6_000],
          [18_000, 14_000],
        ]),
      ).toBe(0);
      // A short report after a confirming one starts over.
      expect(
        replay([
          [8_000, 0],
          [16_000, 8_000],
          [24_000, 8_000],
        ]),
      ).toBe(0);
    });

    it('a window too small to judge keeps the earlier verdict', () => {
      expect(
        replay([
          [8_000, 0],
          [8_010, 0],
          [16_010, 0],
        ]),
      ).toBe(1);
    });
  });

  it('forget() drops an endpoint’s blocks', () => {
    const state = aRoutingMemory();
    const endpoints = cluster(3);
    const long = text('forget', 8_000);
    const first = route(state, endpoints, long);
    state.prefixIndex.forget(first);
    const i = endpoints.findIndex((e) => e.id === first);
    const scores = algo.score({ nowMs: 1_000, endpoints }, prompt(long), {
      rng: { next: () => 0 },
      ...state,
    });
    expect(scores[i]).toBeLessThan(0.1);
  });

  it('keeps the index within maxBlocks', () => {
    const defaults = defaultRoutingConfig();
    const state = aRoutingMemory({
      ...defaults,
      prefixCache: { ...defaults.prefixCache, maxBlocks: 100 },
    });
    const endpoints = cluster(4);
    for (let i = 0; i < 20; i++) route(state, endpoints, text(`bounded-${i}`, 4_000));
    expect(state.prefixIndex.size).toBeLessThanOrEqual(100);
  });
});
