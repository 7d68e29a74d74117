import {
  EMPTY_WINDOW,
  type EngineMetrics,
  type EngineScrape,
  type EngineWindow,
} from '../../src/engine/index.js';
import { SeededRng } from '../../src/shared/index.js';
import { PrefixIndex } from '../../src/kvcache/index.js';
import {
  createRoutingState,
  defaultRoutingConfig,
  pick,
  type EndpointLoad,
  type RoutingAlgorithm,
  type RoutingConfig,
  type RoutingContext,
  type RoutingRequest,
  type RoutingState,
} from '../../src/routing/index.js';

/** What a routing context remembers across requests: the routing state and the prefix index. */
export interface RoutingMemory {
  readonly state: RoutingState;
  readonly prefixIndex: PrefixIndex;
}

/**
 * Prefix-index capacity (indexed blocks) of test routing memory by default. The production
 * default (200k) costs tens of ms to allocate per index, and the contract suites build dozens per
 * test; a few thousand blocks hold every prompt those tests send. Tests of capacity pass the
 * full defaults (or their own size) explicitly.
 */
export const TEST_PREFIX_INDEX_MAX_BLOCKS = 4_096;

/** The routing config defaults with a {@link TEST_PREFIX_INDEX_MAX_BLOCKS}-block prefix index. */
export function aSmallRoutingConfig(): RoutingConfig {
  const defaults = defaultRoutingConfig();
  return {
    ...defaults,
    prefixCache: { ...defaults.prefixCache, maxBlocks: TEST_PREFIX_INDEX_MAX_BLOCKS },
  };
}

/** Fresh, empty routing memory sized by `config` (default: {@link aSmallRoutingConfig}). */
export function aRoutingMemory(config: RoutingConfig = aSmallRoutingConfig()): RoutingMemory {
  return { state: createRoutingState(config), prefixIndex: new PrefixIndex(config.prefixCache) };
}

/** A routing context with a seeded RNG and fresh memory unless one is given. */
export function aRoutingContext(
  seed = 1,
  memory: RoutingMemory = aRoutingMemory(),
): RoutingContext {
  return { rng: new SeededRng(seed), ...memory };
}

/** A ready, healthy endpoint with no load; override what a test cares about. */
export function anEndpoint(id: string, overrides: Partial<EndpointLoad> = {}): EndpointLoad {
  return {
    id,
    name: id.split('/').pop() ?? id,
    model: 'm',
    node: 'node-a',
    ready: true,
    healthy: true,
    inFlight: 0,
    pendingPrefillTokens: 0,
    metrics: undefined,
    stale: false,
    adapters: [],
    maxLoras: 0,
    ...overrides,
  };
}

/** A request for model `m` with a short prompt; override what a test cares about. */
export function aRequest(overrides: Partial<RoutingRequest> = {}): RoutingRequest {
  return {
    model: 'm',
    baseModel: 'm',
    adapter: undefined,
    promptText: 'hello world',
    promptTokens: 3,
    maxTokens: 16,
    user: undefined,
    sessionId: undefined,
    requestId: 'req-1',
    ...overrides,
  };
}

/** Agent-reported metrics with idle defaults; override the scrape and window fields a test needs. */
export function someMetrics(
  overrides: {
    readonly scrape?: Partial<EngineScrape>;
    readonly window?: Partial<EngineWindow>;
    readonly scrapedAtMs?: number;
  } = {},
): EngineMetrics {
  const none = { sum: 0, count: 0 };
  return {
    scrapedAtMs: overrides.scrapedAtMs ?? 1_000,
    scrape: {
      numRequestsRunning: 0,
      numRequestsWaiting: 0,
      kvCacheUsageRatio: 0,
      hasRequestCounters: true,
      prefixCacheQueriesTotal: 0,
      prefixCacheHitsTotal: 0,
      numPreemptionsTotal: 0,
      promptTokensTotal: 0,
      generationTokensTotal: 0,
      requestSuccessTotal: 0,
      ttftSeconds: none,
      itlSeconds: none,
      e2eSeconds: none,
      queueSeconds: none,
      prefillSeconds: none,
      decodeSeconds: none,
      lora: undefined,
      kvCapacityTokens: undefined,
      ...overrides.scrape,
    },
    window: {
      ...EMPTY_WINDOW,
      windowMs: 10_000,
      ...overrides.window,
    },
  };
}

/** Picks with one strategy alone, a fresh state unless one is given; returns the chosen id. */
export function pickWith(
  algorithm: RoutingAlgorithm,
  endpoints: readonly EndpointLoad[],
  request: RoutingRequest = aRequest(),
  options: { readonly seed?: number; readonly state?: RoutingMemory; readonly nowMs?: number } = {},
): string {
  return pick(
    { nowMs: options.nowMs ?? 1_000, endpoints },
    request,
    [{ algorithm, weight: 1 }],
    aRoutingContext(options.seed ?? 1, options.state),
  ).id;
}

/** Deterministic filler text for prompts: `chars` characters that differ per `topic`. */
export function fillerText(topic: string, chars: number): string {
  let out = '';
  for (let i = 0; out.length < chars; i++) out += `${topic} sentence ${i} about things. `;
  return out.slice(0, chars);
}

/** A request whose prompt is `promptText`, counted in stand-in tokens (4 bytes each). */
export function promptRequest(
  promptText: string,
  overrides: Partial<RoutingRequest> = {},
): RoutingRequest {
  return aRequest({ promptText, promptTokens: Math.ceil(promptText.length / 4), ...overrides });
}
