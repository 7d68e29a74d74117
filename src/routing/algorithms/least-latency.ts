import type { EngineWindow } from '../../engine/index.js';
import { freshMetrics, gatewayLoadScores, hasLoadData } from '../load-signals.js';
import type { EndpointLoad, RoutingAlgorithm, RoutingRequest } from '../routing-algorithm.js';

/** AIBrix's guesses when no endpoint reports request sizes: 10 prompt, 100 output tokens. */
export const DEFAULT_PROMPT_TOKENS_GUESS = 10;
export const DEFAULT_OUTPUT_TOKENS_GUESS = 100;

function windowOf(e: EndpointLoad): EngineWindow | undefined {
  return freshMetrics(e)?.window;
}

function crossEndpointMean(
  windows: readonly (EngineWindow | undefined)[],
  read: (w: EngineWindow) => number | undefined,
): number | undefined {
  let sum = 0;
  let count = 0;
  for (const w of windows) {
    const v = w === undefined ? undefined : read(w);
    if (v !== undefined && Number.isFinite(v) && v > 0) {
      sum += v;
      count++;
    }
  }
  return count > 0 ? sum / count : undefined;
}

/**
 * Expected latency of this request on one engine, in seconds (AIBrix `least-latency`):
 * `mean queue time + mean prefill time / mean prompt tokens × prompt tokens + mean decode time /
 * mean output tokens × output tokens`, all means over the agent's window. The prompt size is the
 * request's own (known here); the output size is the cross-endpoint mean of output tokens per
 * request (AIBrix's guess; 100 when none is known), capped by `max_tokens`. NaN when the engine
 * lacks any of those means, or its metrics are stale (treated as unknown): such engines rank last.
 */
export function expectedLatencySeconds(
  w: EngineWindow | undefined,
  promptTokens: number,
  outputTokens: number,
): number {
  if (w === undefined) return NaN;
  const { meanQueueSeconds: q, meanPrefillSeconds: p, meanDecodeSeconds: d } = w;
  const { meanPromptTokens: pt, meanGenerationTokens: gt } = w;
  if (q === undefined || p === undefined || d === undefined || !pt || !gt) return NaN;
  return q + (p / pt) * promptTokens + (d / gt) * outputTokens;
}

function guesses(
  request: RoutingRequest,
  windows: readonly (EngineWindow | undefined)[],
): [number, number] {
  const prompt =
    request.promptTokens > 0
      ? request.promptTokens
      : (crossEndpointMean(windows, (w) => w.meanPromptTokens) ?? DEFAULT_PROMPT_TOKENS_GUESS);
  const output =
    crossEndpointMean(windows, (w) => w.meanGenerationTokens) ?? DEFAULT_OUTPUT_TOKENS_GUESS;
  return [prompt, request.maxTokens === undefined ? output : Math.min(output, request.maxTokens)];
}

/**
 * Lowest expected latency (see {@link expectedLatencySeconds}); an engine whose window is unknown
 * for now (stale, nothing finished) ranks last. Without data (no metrics, or no latency
 * histograms in the engine's dialect) on any candidate, every candidate is scored on the
 * gateway's in-flight counts instead (`gatewayLoadScores`), so such an engine is not starved.
 */
export const leastLatency: RoutingAlgorithm = {
  name: 'least-latency',
  polarity: 'lower-is-better',
  description: 'lowest expected queue + prefill + decode time from the agent windows',
  score: (snapshot, request) => {
    if (
      !snapshot.endpoints.every((e) => hasLoadData(e, (m) => m.scrape.hasRequestCounters !== false))
    )
      return gatewayLoadScores(snapshot.endpoints);
    const windows = snapshot.endpoints.map(windowOf);
    const [promptTokens, outputTokens] = guesses(request, windows);
    return windows.map((w) => expectedLatencySeconds(w, promptTokens, outputTokens));
  },
};
