/**
 * Watches the engines of this node: scrapes each one every interval, keeps a bounded history for
 * window rates, and turns an engine unready after two failed scrapes in a row (i.e. within two
 * intervals of it going silent). Publishes one EngineReport per engine after each cycle.
 */
import { computeWindow, type EngineScrape } from '../engine/index.js';
import type { ClusterSource, EngineEndpoint } from '../discovery/index.js';
import type { EngineReport } from '../protocol/index.js';
import { toError, type Clock, type Logger } from '../shared/index.js';
import type { AgentMetrics } from './agent-metrics.js';
import { metricsDialectFor } from './engine-dialects.js';
import { fetchAdapters, scrapeEngine } from './engine-scraper.js';

export interface EngineWatcherOptions {
  readonly source: ClusterSource;
  readonly clock: Clock;
  readonly log: Logger;
  readonly metrics: AgentMetrics;
  readonly intervalMs: number;
  readonly timeoutMs: number;
  readonly windowMs: number;
  readonly modelsEveryN: number;
}

interface Tracked {
  history: { atMs: number; scrape: EngineScrape }[];
  failures: number;
  adapters: string[];
  cycles: number;
  lastError: string | undefined;
}

/** Most scrapes kept per engine for the window (bounded whatever the interval). */
const MAX_HISTORY = 512;

export class EngineWatcher {
  readonly name = 'engine-watcher';
  readonly #o: EngineWatcherOptions;
  readonly #tracked = new Map<string, Tracked>();
  readonly #listeners = new Set<(reports: EngineReport[]) => void>();
  #reports: EngineReport[] = [];

  constructor(options: EngineWatcherOptions) {
    this.#o = options;
  }

  /** The latest report of every engine on the node. */
  reports(): readonly EngineReport[] {
    return this.#reports;
  }

  onCycle(listener: (reports: EngineReport[]) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      const started = this.#o.clock.monotonicMs();
      await this.cycle(signal);
      const waitMs = Math.max(0, this.#o.intervalMs - (this.#o.clock.monotonicMs() - started));
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, waitMs);
        signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true });
      });
    }
  }

  /** One scrape of every engine, in parallel. */
  async cycle(signal: AbortSignal): Promise<void> {
    const endpoints = this.#o.source.current().endpoints;
    for (const id of this.#tracked.keys())
      if (!endpoints.some((e) => e.id === id)) this.#tracked.delete(id);
    this.#reports = await Promise.all(endpoints.map((e) => this.#scrapeOne(e, signal)));
    for (const listener of this.#listeners) listener(this.#reports);
  }

  async #scrapeOne(endpoint: EngineEndpoint, signal: AbortSignal): Promise<EngineReport> {
    const { clock, metrics, timeoutMs, windowMs } = this.#o;
    let t = this.#tracked.get(endpoint.id);
    if (t === undefined) {
      t = { history: [], failures: 0, adapters: [], cycles: 0, lastError: undefined };
      this.#tracked.set(endpoint.id, t);
    }
    t.cycles++;
    try {
      const scrape = await scrapeEngine(
        endpoint.url,
        metricsDialectFor(endpoint.engine),
        timeoutMs,
        signal,
      );
      if (t.cycles % this.#o.modelsEveryN === 1 || this.#o.modelsEveryN === 1) {
        t.adapters = await fetchAdapters(endpoint.url, timeoutMs, signal).catch(() => t.adapters);
      }
      const now = clock.now();
      t.failures = 0;
      t.lastError = undefined;
      t.history.push({ atMs: now, scrape });
      while (
        t.history.length > MAX_HISTORY ||
        ((t.history[0]?.atMs ?? now) < now - windowMs && t.history.length > 2)
      )
        t.history.shift();
      metrics.observeEngine(endpoint, scrape, true);
    } catch (err) {
      t.failures++;
      t.lastError = toError(err).message;
      metrics.scrapeErrors.inc({ engine: endpoint.name });
      if (t.failures === 2)
        this.#o.log.warn(
          { engine: endpoint.id, err: t.lastError },
          'engine stopped answering: unready',
        );
    }
    const ready = t.failures < 2 && t.history.length > 0;
    const latest = t.history[t.history.length - 1];
    const oldest = t.history[0];
    if (!ready) metrics.markEngineDown(endpoint);
    return {
      id: endpoint.id,
      model: endpoint.model,
      url: endpoint.url,
      ready,
      adapters: t.adapters,
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
      ...(t.lastError === undefined ? {} : { error: t.lastError }),
    };
  }
}
