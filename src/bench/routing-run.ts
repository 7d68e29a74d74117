/**
 * One replay of a Mooncake trace on a running routing-bench cluster, shared by `bench routing`
 * (once per strategy) and `bench kv`'s trace section (once per KV mode): the load generator with
 * its wall-clock budget, the engines' /metrics after it, and the per-run summary. Also the
 * trace window's description both results carry.
 */
import os from 'node:os';
import { runReplay, scrapeEngines, type RoutingCluster } from './routing-cluster.js';
import { engineCounters, summarizeStrategy, type StrategyResult } from './routing-stats.js';
import type { TraceEntry } from './routing-trace.js';

/** What a replay needs besides the cluster. */
export interface TraceReplaySettings {
  readonly trace: string;
  /** Seconds of the trace replayed from its start (0 = all). */
  readonly duration: number;
  readonly speed: number;
  readonly rateScale: number;
  /** Per-request limit in trace seconds. */
  readonly requestTimeout: number;
  readonly model: string;
}

/** A replay's summary and the engines' exposition texts it was computed from. */
export interface TraceReplayRun {
  readonly result: StrategyResult;
  readonly engineMetrics: readonly string[];
}

/**
 * Replays the trace through the cluster's gateway with the `routing-strategy` header `strategy`
 * and summarizes it under `label`. The load generator is killed past the trace span plus two
 * request limits (wall); `report` gets one line at the end.
 */
export async function replayOnCluster(
  rc: RoutingCluster,
  s: TraceReplaySettings,
  strategy: string,
  label: string,
  report: (line: string) => void,
): Promise<TraceReplayRun> {
  const timeoutMs = (s.requestTimeout * 1000) / s.speed;
  const traceSpanS = s.duration > 0 ? s.duration : 4 * 3600;
  const budgetMs = (traceSpanS * 1000) / (s.rateScale * s.speed) + 2 * timeoutMs + 30_000;
  const load1 = os.loadavg()[0] ?? 0;
  const out = await runReplay(
    {
      host: rc.host,
      port: rc.gatewayPort,
      model: s.model,
      strategy,
      tracePath: s.trace,
      durationS: s.duration,
      rateScale: s.rateScale,
      speed: s.speed,
      timeoutMs,
    },
    budgetMs,
  );
  const engineMetrics = await scrapeEngines(rc.engineUrls);
  const result = summarizeStrategy(label, out, s.speed, engineCounters(engineMetrics));
  report(
    `${label}: ${result.completed}/${result.requests} ok, mean TTFT ${result.ttftMs.mean} ms, wall ${result.wallSeconds} s, load ${load1.toFixed(1)}→${(os.loadavg()[0] ?? 0).toFixed(1)}`,
  );
  return { result, engineMetrics };
}

/** The replayed window's size: requests, tokens, the longest prompt. */
export function traceWindowSummary(window: readonly TraceEntry[]): {
  traceRequests: number;
  traceInputTokens: number;
  traceOutputTokens: number;
  maxInputLength: number;
} {
  return {
    traceRequests: window.length,
    traceInputTokens: window.reduce((a, e) => a + e.inputLength, 0),
    traceOutputTokens: window.reduce((a, e) => a + e.outputLength, 0),
    maxInputLength: window.reduce((a, e) => Math.max(a, e.inputLength), 0),
  };
}
