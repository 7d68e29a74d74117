/**
 * Which metrics dialect reads an engine's /metrics, chosen by the engine's `engine` field
 * (`model.infernode.io/engine` label, cluster-file `engine:`). Adding a dialect is one line in
 * {@link METRICS_DIALECTS}. A dialect maps what it knows and leaves the rest unknown (undefined
 * gauges, `hasRequestCounters: false`): an engine whose metrics cannot be read is never reported
 * as idle.
 */
import type { EngineKind } from '../discovery/index.js';
import { normalizeVllm, type EngineScrape, type Sample } from '../engine/index.js';

/** Normalizes one /metrics exposition (parsed samples) into the common EngineScrape. */
export type MetricsDialect = (samples: readonly Sample[]) => EngineScrape;

/**
 * One dialect per engine kind. SGLang has no mapping of its own yet: the vLLM reader finds none
 * of its names and so reports it as an engine without load data (routed on the gateway's counts).
 */
export const METRICS_DIALECTS: Readonly<Record<EngineKind, MetricsDialect>> = {
  vllm: normalizeVllm,
  sglang: normalizeVllm,
};

/** The dialect for an engine kind. */
export function metricsDialectFor(engine: EngineKind): MetricsDialect {
  return METRICS_DIALECTS[engine];
}
