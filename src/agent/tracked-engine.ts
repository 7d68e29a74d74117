/**
 * What the engine watcher keeps of one engine between cycles (its bounded scrape history, what it
 * serves, its liveness) and the report made of it. Pure: the watcher does the calling, this file
 * the bookkeeping, so a window or a report can be checked without an engine.
 */
import { computeWindow, type EngineScrape } from '../engine/index.js';
import type { EngineEndpoint } from '../discovery/index.js';
import type { EngineReport } from '../protocol/index.js';
import { UNKNOWN_LIVENESS, type Liveness } from './engine-liveness.js';

/** What the watcher keeps of one engine between cycles. */
export interface TrackedEngine {
  history: { atMs: number; scrape: EngineScrape }[];
  adapters: string[];
  servedModels: string[] | undefined;
  cycles: number;
  liveness: Liveness;
  wasReady: boolean;
  /** Why the latest health check failed; undefined after a 2xx. */
  healthError: string | undefined;
  /** Why the latest /metrics scrape failed; undefined after one that worked. */
  metricsError: string | undefined;
}

/** Most scrapes kept per engine for the window (bounded whatever the interval). */
export const MAX_HISTORY = 512;

/** A first-seen engine: no history, nothing served known, liveness unknown. */
export function newTrackedEngine(): TrackedEngine {
  return {
    history: [],
    adapters: [],
    servedModels: undefined,
    cycles: 0,
    liveness: UNKNOWN_LIVENESS,
    wasReady: false,
    healthError: undefined,
    metricsError: undefined,
  };
}

/**
 * Adds a scrape taken at `now` (ms) to the history, keeping at most {@link MAX_HISTORY} and
 * nothing older than `windowMs` but the last two; true when the engine finished requests since
 * the previous scrape.
 */
export function recordScrape(
  t: TrackedEngine,
  scrape: EngineScrape,
  now: number,
  windowMs: number,
): boolean {
  const previous = t.history[t.history.length - 1]?.scrape;
  t.history.push({ atMs: now, scrape });
  while (
    t.history.length > MAX_HISTORY ||
    ((t.history[0]?.atMs ?? now) < now - windowMs && t.history.length > 2)
  )
    t.history.shift();
  return (
    previous !== undefined &&
    scrape.hasRequestCounters !== false &&
    scrape.requestSuccessTotal > previous.requestSuccessTotal
  );
}

/** The engine's report: its latest scrape with the window's rates, and why it is not ready. */
export function engineReportOf(
  endpoint: EngineEndpoint,
  t: TrackedEngine,
  ready: boolean,
): EngineReport {
  const latest = t.history[t.history.length - 1];
  const oldest = t.history[0];
  const error = ready ? t.metricsError : (t.healthError ?? t.metricsError);
  return {
    id: endpoint.id,
    model: endpoint.model,
    url: endpoint.url,
    ready,
    adapters: t.adapters,
    ...(t.servedModels === undefined ? {} : { servedModels: t.servedModels }),
    ...(latest === undefined
      ? {}
      : {
          metrics: {
            scrape: latest.scrape,
            window: computeWindow(
              oldest === latest ? undefined : oldest?.scrape,
              latest.scrape,
              latest.atMs - (oldest?.atMs ?? latest.atMs),
            ),
            scrapedAtMs: latest.atMs,
          },
        }),
    ...(t.metricsError === undefined ? {} : { metricsStale: true }),
    ...(error === undefined ? {} : { error }),
  };
}
