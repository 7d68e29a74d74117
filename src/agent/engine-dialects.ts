/**
 * How the agent talks to each kind of engine — which metrics dialect reads its /metrics and
 * where its health endpoint is — chosen by the engine's `engine` field
 * (`model.infernode.io/engine` label, cluster-file `engine:`). Adding a dialect is one line in
 * {@link ENGINE_DIALECTS}. A dialect maps what it knows and leaves the rest unknown (undefined
 * gauges, `hasRequestCounters: false`): an engine whose metrics cannot be read is never reported
 * as idle.
 */
import type { EngineKind } from '../discovery/index.js';
import {
  normalizeLlamaCpp,
  normalizeVllm,
  type EngineScrape,
  type PartialEngineScrape,
  type Sample,
} from '../engine/index.js';

/** Normalizes one /metrics exposition (parsed samples) into the common EngineScrape. */
export type MetricsDialect = (samples: readonly Sample[]) => EngineScrape;

/** An engine that exposes nothing: what a partial scrape is laid over. */
const UNKNOWN_SCRAPE: EngineScrape = normalizeVllm([]);

/**
 * A partial scrape (a dialect that knows only some figures) in the common shape: unknown gauges
 * stay undefined; unknown counters and histograms read as an engine with no such data (the
 * shape of an empty vLLM exposition), and the counters count as present only when the engine
 * exposes its prompt-token counter.
 */
function completeScrape(partial: PartialEngineScrape): EngineScrape {
  const known = Object.fromEntries(Object.entries(partial).filter(([, v]) => v !== undefined));
  return {
    ...UNKNOWN_SCRAPE,
    ...known,
    numRequestsRunning: partial.numRequestsRunning,
    numRequestsWaiting: partial.numRequestsWaiting,
    kvCacheUsageRatio: partial.kvCacheUsageRatio,
    hasRequestCounters: partial.promptTokensTotal !== undefined,
  };
}

/** What the agent needs to know to watch one kind of engine. */
export interface EngineDialect {
  readonly readMetrics: MetricsDialect;
  /** Liveness endpoint (2xx = alive and serving), e.g. vLLM's `/health`. */
  readonly healthPath: string;
  /** Runtime LoRA endpoints (reference/aibrix.md §5); absent: the engine cannot load by name. */
  readonly lora?: { readonly loadPath: string; readonly unloadPath: string };
}

/**
 * One dialect per engine kind; llama.cpp's maps only what llama-server exposes. SGLang has no metrics mapping of its own yet: the vLLM reader finds
 * none of its names and so reports it as an engine without load data (routed on the gateway's
 * counts). vLLM, SGLang and llama.cpp all answer `/health`. llama-server's adapters are fixed at
 * start (`--lora`), so it has no runtime LoRA paths.
 */
export const ENGINE_DIALECTS: Readonly<Record<EngineKind, EngineDialect>> = {
  vllm: {
    readMetrics: normalizeVllm,
    healthPath: '/health',
    lora: { loadPath: '/v1/load_lora_adapter', unloadPath: '/v1/unload_lora_adapter' },
  },
  sglang: {
    readMetrics: normalizeVllm,
    healthPath: '/health',
    lora: { loadPath: '/load_lora_adapter', unloadPath: '/unload_lora_adapter' },
  },
  llamacpp: { readMetrics: (s) => completeScrape(normalizeLlamaCpp(s)), healthPath: '/health' },
};

/** The dialect for an engine kind. */
export function engineDialectFor(engine: EngineKind): EngineDialect {
  return ENGINE_DIALECTS[engine];
}
