import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GlobalBlockIndex, PrefixIndex, promptBlockHashes } from '../../../src/kvcache/index.js';
import {
  createRoutingState,
  parseStrategy,
  pick,
  type EndpointLoad,
  type PickTrace,
  type RoutingConfig,
  type StrategyMix,
} from '../../../src/routing/index.js';
import { SeededRng } from '../../../src/shared/index.js';
import {
  referenceLeastKvCache,
  referencePick,
  referencePrefixCache,
} from '../../helpers/reference-routing.js';
import {
  aSmallRoutingConfig,
  anEndpoint,
  fillerText,
  promptRequest,
  someMetrics,
} from '../../helpers/routing-builders.js';

/** One engine's state at one pick, as the arbitrary draws it. */
const engineState = fc.record({
  /** 0: not ready, 1: not healthy, else routable. */
  unhealthy: fc.integer({ min: 0, max: 9 }),
  inFlight: fc.integer({ min: 0, max: 6 }),
  queued: fc.integer({ min: 0, max: 3 }),
  kvUsage: fc.option(fc.integer({ min: 0, max: 100 }), { nil: undefined }),
  reports: fc.integer({ min: 0, max: 9 }),
  stale: fc.boolean(),
});

type EngineState = typeof engineState extends fc.Arbitrary<infer T> ? T : never;

const DOCS = ['alpha', 'beta', 'gamma'].map((t) => fillerText(t, 4096));

function endpointOf(i: number, s: EngineState, step: number): EndpointLoad {
  return anEndpoint(`node-${i % 3}/engine-${i}`, {
    node: `node-${i % 3}`,
    ready: s.unhealthy !== 0,
    healthy: s.unhealthy !== 1,
    inFlight: s.inFlight,
    pendingPrefillTokens: s.queued * 1024,
    // Some engines never report; the others report a new scrape every few picks.
    metrics:
      s.reports === 0
        ? undefined
        : someMetrics({
            scrapedAtMs: 1_000 + Math.floor(step / s.reports) * 100,
            scrape: {
              kvCacheUsageRatio: s.kvUsage === undefined ? undefined : s.kvUsage / 100,
              kvCapacityTokens: 4096 * s.reports,
            },
          }),
    stale: s.stale,
  });
}

/** The mix with the strategies the optimization rewrote swapped for their references. */
function referenceMix(mix: StrategyMix): StrategyMix {
  const swap = new Map([
    ['least-kv-cache', referenceLeastKvCache],
    ['prefix-cache', referencePrefixCache],
  ]);
  return mix.map((m) => ({ ...m, algorithm: swap.get(m.algorithm.name) ?? m.algorithm }));
}

function mixOf(spec: string): StrategyMix {
  const parsed = parseStrategy(spec);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.mix;
}

function configWith(mode: 'auto' | 'approximate' | 'precise'): RoutingConfig {
  const base = aSmallRoutingConfig();
  return { ...base, prefixCache: { ...base.prefixCache, mode } };
}

/**
 * A block index in which engines whose index is a multiple of `every` publish the first doc, and
 * every node's L1 store holds a run of it.
 */
function blockIndexOf(n: number, every: number, config: RoutingConfig): GlobalBlockIndex {
  const index = new GlobalBlockIndex({ maxEntries: 100_000, maxBlocksPerNode: 100_000 });
  const c = config.prefixCache;
  const chain = promptBlockHashes(DOCS[0] ?? '', c.blockSizeTokens, c.maxPromptBlocks);
  for (let node = 0; node < 3; node++) {
    const deltas = [];
    for (let i = node; i < n; i += 3)
      if (i % every === 0)
        deltas.push({
          tier: 'gpu' as const,
          engineId: `node-${node}/engine-${i}`,
          stored: chain.slice(0, 8 * (i + 1)),
        });
    // Each node's L1 store holds a run of the document past some engines' GPU prefixes.
    deltas.push({ tier: 'l1' as const, stored: chain.slice(8 * node, 8 * node + 24) });
    index.apply(`node-${node}`, { seq: 0, reset: true, deltas });
  }
  return index;
}

describe('optimized pick ≡ the straightforward pick', () => {
  it('same winner and same fused scores over a sequence of picks (auto, prefix-cache, least-kv-cache)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 24 }),
        fc.array(fc.array(engineState, { minLength: 24, maxLength: 24 }), {
          minLength: 1,
          maxLength: 12,
        }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 2 }), fc.integer({ min: 0, max: 3 }))),
        fc.constantFrom('auto', 'prefix-cache', 'least-kv-cache', 'least-prefill:1,prefix-cache:2'),
        fc.constantFrom('auto' as const, 'approximate' as const, 'precise' as const),
        fc.integer({ min: 1, max: 4 }),
        (n, steps, prompts, spec, mode, publishEvery) => {
          const config = configWith(mode);
          const blockIndex = blockIndexOf(n, publishEvery, config);
          const world = (seed: number) => ({
            rng: new SeededRng(seed),
            state: createRoutingState(config),
            prefixIndex: new PrefixIndex(config.prefixCache),
            blockIndex,
          });
          const traces: PickTrace[] = [];
          const optimized = { ...world(3), onPicked: (t: PickTrace) => traces.push(t) };
          const reference = world(3);
          const mix = mixOf(spec);
          steps.forEach((states, step) => {
            const endpoints = states.slice(0, n).map((s, i) => endpointOf(i, s, step));
            if (!endpoints.some((e) => e.ready && e.healthy)) return;
            const [doc, turn] = prompts[step % Math.max(1, prompts.length)] ?? [0, 0];
            const request = promptRequest(`${DOCS[doc] ?? ''} turn ${turn}`, {
              requestId: `r${step}`,
            });
            const nowMs = 1_000 + step * 10;
            const want = referencePick(endpoints, nowMs, request, referenceMix(mix), reference);
            const got = pick({ endpoints, nowMs }, request, mix, optimized);
            expect(got.id).toBe(want.chosen);
            expect(traces.at(-1)?.candidates.map((c) => c.score)).toEqual(
              want.totals ?? [undefined],
            );
          });
        },
      ),
      { numRuns: 60 },
    );
  }, 180_000);

  it('a multi-candidate match equals each candidate matched alone', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(
            fc.integer({ min: 0, max: 2 }),
            fc.integer({ min: 0, max: 7 }),
            fc.integer({ min: 1, max: 64 }),
          ),
        ),
        fc.integer({ min: 0, max: 2 }),
        fc.uniqueArray(fc.integer({ min: 0, max: 8 }), { minLength: 1, maxLength: 9 }),
        (inserts, askDoc, candidates) => {
          const config = aSmallRoutingConfig().prefixCache;
          const index = new PrefixIndex(config);
          const hashesOf = (doc: number, blocks: number) =>
            promptBlockHashes(
              DOCS[doc] ?? '',
              config.blockSizeTokens,
              config.maxPromptBlocks,
            ).slice(0, blocks);
          inserts.forEach(([doc, engine, blocks], t) =>
            index.insert(hashesOf(doc, blocks), `e${engine}`, t),
          );
          const hashes = hashesOf(askDoc, 64);
          // Distinct candidates (ids are unique); engine 8 was never routed to; 0 leaves one out.
          const gens = candidates.map((e) => (e === 0 ? 0 : index.genOf(`e${e}`)));
          const together = [...index.match(hashes, gens, inserts.length)];
          const alone = gens.map((g) =>
            g === 0 ? 0 : (index.match(hashes, [g], inserts.length)[0] ?? 0),
          );
          expect(together).toEqual(alone);
        },
      ),
      { numRuns: 200 },
    );
  }, 120_000);
});
