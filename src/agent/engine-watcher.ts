/**
 * Watches the engines of this node: every interval it checks each engine's health endpoint and
 * scrapes its /metrics (in parallel), keeps a bounded history for window rates, and publishes one
 * EngineReport per engine after each cycle. Readiness comes from liveness (engine-liveness.ts):
 * a /metrics that is slow or unreadable marks the metrics stale, never the engine down. What it
 * keeps per engine, and the report made of it: tracked-engine.ts.
 */
import { setMaxListeners } from 'node:events';
import type { EngineScrape } from '../engine/index.js';
import {
  engineClientOptions,
  type ClusterSource,
  type EngineEndpoint,
} from '../discovery/index.js';
import type { EngineReport } from '../protocol/index.js';
import { linkedSignal, sleep, toError, type Clock, type Logger } from '../shared/index.js';
import type { AgentMetrics } from './agent-metrics.js';
import { engineDialectFor } from './engine-dialects.js';
import { modelsReadDue } from './models-due.js';
import { isEngineReady, observeLiveness } from './engine-liveness.js';
import {
  engineReportOf,
  newTrackedEngine,
  recordScrape,
  type TrackedEngine,
} from './tracked-engine.js';
import {
  fetchModels,
  probeHealth,
  scrapeEngine,
  type EngineCall,
  type ServedModels,
} from './engine-scraper.js';

/**
 * Where the watcher finds its engines, how often and how long it may call them, and the window of
 * its rates.
 */
export interface EngineWatcherOptions {
  readonly source: ClusterSource;
  readonly clock: Clock;
  readonly log: Logger;
  readonly metrics: AgentMetrics;
  readonly intervalMs: number;
  readonly timeoutMs: number;
  readonly windowMs: number;
  readonly modelsEveryN: number;
  /** An engine's /v1/models stopped listing adapters it listed before (a restart loses them). */
  readonly onAdaptersLost?: (engineId: string, adapters: readonly string[]) => void;
}

/** How to call an engine, or why it cannot be called (a missing CA or API key file / variable). */
function callFor(
  endpoint: EngineEndpoint,
  timeoutMs: number,
  signal: AbortSignal,
): EngineCall | Error {
  try {
    return { client: engineClientOptions(endpoint.connection), timeoutMs, signal };
  } catch (err) {
    return toError(err);
  }
}

function rejected(reason: Error): PromiseRejectedResult {
  return { status: 'rejected', reason };
}

/** Calls in flight per engine during a cycle: its health probe and its /metrics scrape. */
const CALLS_PER_ENGINE = 2;

/** Checks and scrapes this node's engines every interval and publishes their reports. */
export class EngineWatcher {
  readonly name = 'engine-watcher';
  readonly #options: EngineWatcherOptions;
  readonly #tracked = new Map<string, TrackedEngine>();
  readonly #listeners = new Set<(reports: EngineReport[]) => void>();
  /** Engines whose /v1/models is read on the next cycle whatever the period (bounded by engines). */
  readonly #refresh = new Set<string>();
  #reports: EngineReport[] = [];

  constructor(options: EngineWatcherOptions) {
    this.#options = options;
  }

  /** The latest report of every engine on the node. */
  reports(): readonly EngineReport[] {
    return this.#reports;
  }

  /**
   * Reads the engine's /v1/models on the next cycle (the adapter manager changed what it serves),
   * so its report shows the change within one scrape period.
   */
  refreshModels(id: string): void {
    if (this.#options.source.current().endpoints.some((e) => e.id === id)) this.#refresh.add(id);
  }

  /** Calls the listener after each cycle with every engine's report; returns how to stop. */
  onCycle(listener: (reports: EngineReport[]) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      const started = this.#options.clock.monotonicMs();
      await this.cycle(signal);
      const waitMs = Math.max(
        0,
        this.#options.intervalMs - (this.#options.clock.monotonicMs() - started),
      );
      // sleep removes its abort listener when the timer fires: a listener added per cycle on
      // the process-lifetime signal and never removed grew the agent by ~110 MB a day.
      await sleep(waitMs, signal);
    }
  }

  /**
   * One scrape of every engine, in parallel. The engines' calls hang on one signal of this
   * cycle, not on the process-lifetime `signal`: that keeps one listener there whatever the
   * number of engines, while the cycle's own signal fans out to two calls per engine by design.
   */
  async cycle(signal: AbortSignal): Promise<void> {
    const endpoints = this.#options.source.current().endpoints;
    for (const id of this.#tracked.keys())
      if (!endpoints.some((e) => e.id === id)) this.#tracked.delete(id);
    for (const id of this.#refresh)
      if (!endpoints.some((e) => e.id === id)) this.#refresh.delete(id);
    const cycle = linkedSignal([signal]);
    setMaxListeners(CALLS_PER_ENGINE * endpoints.length + 1, cycle.signal);
    try {
      this.#reports = await Promise.all(endpoints.map((e) => this.#scrapeOne(e, cycle.signal)));
    } finally {
      cycle.dispose();
    }
    for (const listener of this.#listeners) listener(this.#reports);
  }

  #trackedFor(id: string): TrackedEngine {
    let t = this.#tracked.get(id);
    if (t === undefined) {
      t = newTrackedEngine();
      this.#tracked.set(id, t);
    }
    return t;
  }

  async #scrapeOne(endpoint: EngineEndpoint, signal: AbortSignal): Promise<EngineReport> {
    const { clock, metrics, timeoutMs, intervalMs } = this.#options;
    const t = this.#trackedFor(endpoint.id);
    t.cycles++;
    const dialect = engineDialectFor(endpoint.engine);
    const call = callFor(endpoint, timeoutMs, signal);
    const [health, scrape] =
      call instanceof Error
        ? [rejected(call), rejected(call)]
        : await Promise.allSettled([
            probeHealth(`${endpoint.url}${dialect.healthPath}`, call),
            scrapeEngine(endpoint.url, dialect.readMetrics, call),
          ]);
    if (!(call instanceof Error) && this.#modelsDue(endpoint.id, t, health, scrape)) {
      this.#refresh.delete(endpoint.id);
      const served = await fetchModels(endpoint.url, call).catch(() => undefined);
      if (served !== undefined) this.#learnModels(endpoint, t, served);
    }
    const now = clock.now();
    t.healthError = health.status === 'fulfilled' ? undefined : toError(health.reason).message;
    const served =
      scrape.status === 'fulfilled' && recordScrape(t, scrape.value, now, this.#options.windowMs);
    if (scrape.status === 'fulfilled') {
      t.metricsError = undefined;
      metrics.observeEngine(endpoint, scrape.value);
    } else {
      if (t.metricsError === undefined)
        this.#options.log.info(
          { engine: endpoint.id, err: toError(scrape.reason).message },
          'engine metrics unreadable: stale data, readiness from its health endpoint',
        );
      t.metricsError = toError(scrape.reason).message;
      metrics.scrapeErrors.inc({ engine: endpoint.name });
    }
    t.liveness = observeLiveness(t.liveness, {
      healthOk: health.status === 'fulfilled',
      servedRequests: served,
      nowMs: now,
    });
    // Two intervals: the engine must have shown finished requests in one of the last two scrapes.
    const ready = isEngineReady(t.liveness, now, 2 * intervalMs);
    if (t.wasReady && !ready)
      this.#options.log.warn(
        { engine: endpoint.id, err: t.healthError },
        'engine not alive: unready',
      );
    t.wasReady = ready;
    metrics.markEngineReady(endpoint, ready);
    return engineReportOf(endpoint, t, ready);
  }

  /** Whether to read /v1/models this cycle (models-due.ts). */
  #modelsDue(
    id: string,
    t: TrackedEngine,
    health: PromiseSettledResult<void>,
    scrape: PromiseSettledResult<EngineScrape>,
  ): boolean {
    const previous = t.history[t.history.length - 1]?.scrape;
    return modelsReadDue({
      cycle: t.cycles,
      everyN: this.#options.modelsEveryN,
      requested: this.#refresh.has(id),
      hasAdapters: t.adapters.length > 0,
      healthRecovered: health.status === 'fulfilled' && t.liveness.healthFailures > 0,
      counterReset:
        scrape.status === 'fulfilled' &&
        previous !== undefined &&
        scrape.value.requestSuccessTotal < previous.requestSuccessTotal,
    });
  }

  /** Records what the engine serves; logs once when the configured model is not among it. */
  #learnModels(endpoint: EngineEndpoint, t: TrackedEngine, served: ServedModels): void {
    const wasServed = t.servedModels === undefined || t.servedModels.includes(endpoint.model);
    const lost = t.adapters.filter((a) => !served.adapters.includes(a));
    t.adapters = served.adapters;
    t.servedModels = served.models;
    if (lost.length > 0) this.#options.onAdaptersLost?.(endpoint.id, lost);
    if (wasServed && !served.models.includes(endpoint.model))
      this.#options.log.warn(
        { engine: endpoint.id, configured: endpoint.model, served: served.models.slice(0, 8) },
        'configured model is not served by the engine: not routed until it is',
      );
  }
}
