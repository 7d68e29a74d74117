/**
 * How `bench kv-bound` routes each mode's requests. `random`, `prefix` and `gpu-exact` go through
 * the gateway's own `pick()` with its own strategies, fed what the gateway would see: exact
 * in-flight counts and queued prompt tokens per engine (and, for `gpu-exact`, the engines' exact
 * GPU contents as the precise block view). The oracles route to the least-loaded engine: with
 * every computed block available everywhere, there is no locality left to weigh.
 */
import {
  createRoutingState,
  defaultRoutingConfig,
  parseStrategy,
  pick,
  shortlist,
  type EndpointLoad,
  type RoutingContext,
  type StrategyMix,
} from '../routing/index.js';
import { PrefixIndex, type PreciseBlockView, type PrefixCacheMode } from '../kvcache/index.js';
import { SeededRng } from '../shared/index.js';
import { decideFetch, type HardwareProfile } from '../sim/index.js';
import type { BlockTextCache } from './routing-trace.js';
import { boundPromptText, type BoundRequest } from './kv-bound-chains.js';

const MODEL = 'meta-llama/Llama-3.1-8B-Instruct';

/** An engine as the router sees it at an arrival. */
export interface BoundEngineView {
  readonly id: string;
  readonly node: string;
  /** Requests running or waiting on it. */
  readonly inFlight: number;
  /** Prompt tokens of its requests that have produced no token yet. */
  readonly pendingPrefillTokens: number;
}

/** Chooses an engine (index into `engines`) for a request arriving at `nowS` (stream time). */
export type BoundRouter = (
  request: BoundRequest,
  engines: readonly BoundEngineView[],
  nowS: number,
) => number;

function mixOf(spec: string): StrategyMix {
  const parsed = parseStrategy(spec);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.mix;
}

/**
 * Routes through `pick()` with strategy `spec`; the prefix index is sized as the gateway sizes it
 * for engines that report `kvCapacityTokens`.
 */
function pickRouter(
  spec: string,
  seed: number,
  options: {
    readonly mode: PrefixCacheMode;
    readonly kvCapacityTokens: number;
    readonly texts: BlockTextCache;
    readonly blockIndex?: PreciseBlockView;
    /** Score a shortlist of at most this many engines (routing/shortlist.ts); 0: all. */
    readonly limit: number;
    /** What an L1 block is worth in precise scoring (absent: the leader's defaults). */
    readonly l1Pricing?: L1Pricing;
  },
): BoundRouter {
  const mix = mixOf(spec);
  const base = defaultRoutingConfig();
  const config = {
    ...base,
    prefixCache: {
      ...base.prefixCache,
      mode: options.mode,
      defaultEndpointCapacityTokens: options.kvCapacityTokens,
      ...options.l1Pricing,
    },
  };
  const ctx: RoutingContext = {
    rng: new SeededRng(seed),
    state: createRoutingState(config),
    prefixIndex: new PrefixIndex(config.prefixCache),
    ...(options.blockIndex === undefined ? {} : { blockIndex: options.blockIndex }),
  };
  return (request, engines, nowS) => {
    const endpoints: EndpointLoad[] = engines.map((e) => ({
      id: e.id,
      name: e.id,
      model: MODEL,
      node: e.node,
      ready: true,
      healthy: true,
      inFlight: e.inFlight,
      pendingPrefillTokens: e.pendingPrefillTokens,
      metrics: undefined,
      stale: false,
      adapters: [],
      maxLoras: 0,
    }));
    // Only prefix-cache reads the text; the others need none.
    const promptText = spec === 'prefix-cache' ? boundPromptText(request, options.texts) : '';
    const routingRequest = {
      model: MODEL,
      baseModel: MODEL,
      adapter: undefined,
      promptText,
      promptTokens: request.promptTokens,
      maxTokens: request.outputTokens,
      user: undefined,
      sessionId: undefined,
      requestId: `r${request.index}`,
    };
    const nowMs = nowS * 1000;
    const scored = shortlist(endpoints, routingRequest, mix, ctx, nowMs, {
      limit: options.limit,
      routable: () => true,
    });
    const chosen = pick({ endpoints: scored, nowMs }, routingRequest, mix, ctx);
    return endpoints.indexOf(chosen);
  };
}

/** The gateway's `random` strategy. */
export function randomRouter(seed: number, texts: BlockTextCache, limit = 0): BoundRouter {
  return pickRouter('random', seed, { mode: 'approximate', kvCapacityTokens: 1, texts, limit });
}

/** The gateway's `prefix-cache` on its own routing history ((a) of the real bench). */
export function prefixRouter(
  seed: number,
  kvCapacityTokens: number,
  texts: BlockTextCache,
  limit = 0,
): BoundRouter {
  return pickRouter('prefix-cache', seed, { mode: 'approximate', kvCapacityTokens, texts, limit });
}

/** The leader's settings that price an L1 block in precise scoring (`bench kv` sets both). */
export interface L1Pricing {
  readonly prefillMicrosPerToken: number;
  readonly l1FetchBytesPerSecond: number;
}

/**
 * The leader's L1 pricing matched to simulated engines: the profile's recompute time per token
 * of a long chain (16k tokens), and the connector's link (the leader's defaults are an A100 over
 * one TCP stream, which would price an L1 block well below what the engines' connector finds).
 */
export function l1PricingFor(profile: HardwareProfile, linkBytesPerS: number): L1Pricing {
  const tokens = 16_384;
  const recomputeS = decideFetch(profile, tokens, linkBytesPerS).recomputeS;
  return {
    prefillMicrosPerToken: (recomputeS / tokens) * 1e6,
    l1FetchBytesPerSecond: linkBytesPerS,
  };
}

/**
 * `prefix-cache` in precise mode scored from `view` (the engines' exact GPU contents, and for
 * the `precise-l1*` modes the tier's), an L1 block priced by `l1Pricing`.
 */
export function gpuExactRouter(
  seed: number,
  kvCapacityTokens: number,
  texts: BlockTextCache,
  view: PreciseBlockView,
  limit = 0,
  l1Pricing?: L1Pricing,
): BoundRouter {
  return pickRouter('prefix-cache', seed, {
    mode: 'precise',
    kvCapacityTokens,
    texts,
    blockIndex: view,
    limit,
    ...(l1Pricing === undefined ? {} : { l1Pricing }),
  });
}

/**
 * The engine with the fewest queued prompt tokens, then the fewest requests in flight, then the
 * lowest index: the least work ahead of a request whose prefix costs the same everywhere.
 */
export const leastLoadedRouter: BoundRouter = (_request, engines) => {
  let best = 0;
  for (let i = 1; i < engines.length; i++) {
    const e = engines[i] as BoundEngineView;
    const b = engines[best] as BoundEngineView;
    if (
      e.pendingPrefillTokens < b.pendingPrefillTokens ||
      (e.pendingPrefillTokens === b.pendingPrefillTokens && e.inFlight < b.inFlight)
    )
      best = i;
  }
  return best;
};
