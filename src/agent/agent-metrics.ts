/**
 * The agent's metrics: every engine of the node in one normalized form (labels node, engine,
 * model), scrape errors, and the leader connection state — one scrape shows the whole node.
 */
import type { EngineEndpoint } from '../discovery/index.js';
import type { EngineScrape } from '../engine/index.js';
import { Counter, Gauge, type Registry } from '../shared/index.js';

type EngineLabels = 'node' | 'engine' | 'model';

export class AgentMetrics {
  readonly #node: string;
  readonly running: Gauge<EngineLabels>;
  readonly waiting: Gauge<EngineLabels>;
  readonly kvUsage: Gauge<EngineLabels>;
  readonly ready: Gauge<EngineLabels>;
  readonly prefixHits: Gauge<EngineLabels>;
  readonly scrapeErrors: Counter<'engine'>;
  readonly leaderConnected: Gauge;
  readonly reportsSent: Counter<'type'>;

  constructor(registry: Registry, node: string) {
    this.#node = node;
    const registers = [registry];
    const labelNames = ['node', 'engine', 'model'] as const;
    this.running = new Gauge({
      name: 'infernode_engine_requests_running',
      help: 'Requests running in the engine',
      labelNames,
      registers,
    });
    this.waiting = new Gauge({
      name: 'infernode_engine_requests_waiting',
      help: 'Requests waiting in the engine queue',
      labelNames,
      registers,
    });
    this.kvUsage = new Gauge({
      name: 'infernode_engine_kv_cache_usage_ratio',
      help: 'KV cache usage of the engine, 0–1',
      labelNames,
      registers,
    });
    this.ready = new Gauge({
      name: 'infernode_engine_ready',
      help: '1 when the engine answers its scrapes',
      labelNames,
      registers,
    });
    this.prefixHits = new Gauge({
      name: 'infernode_engine_prefix_cache_hit_tokens',
      help: 'Prefix cache hits (tokens) since engine start',
      labelNames,
      registers,
    });
    this.scrapeErrors = new Counter({
      name: 'infernode_agent_scrape_errors_total',
      help: 'Failed engine scrapes',
      labelNames: ['engine'],
      registers,
    });
    this.leaderConnected = new Gauge({
      name: 'infernode_agent_leader_connected',
      help: '1 while connected to the leader',
      registers,
    });
    this.reportsSent = new Counter({
      name: 'infernode_agent_reports_sent_total',
      help: 'Messages sent to the leader, by type',
      labelNames: ['type'],
      registers,
    });
  }

  observeEngine(e: EngineEndpoint, s: EngineScrape): void {
    const labels = { node: this.#node, engine: e.name, model: e.model };
    // A gauge the engine does not expose is left out, not exported as 0 (unknown is not idle).
    for (const [gauge, value] of [
      [this.running, s.numRequestsRunning],
      [this.waiting, s.numRequestsWaiting],
      [this.kvUsage, s.kvCacheUsageRatio],
    ] as const) {
      if (value === undefined) gauge.remove(labels);
      else gauge.set(labels, value);
    }
    this.prefixHits.set(labels, s.prefixCacheHitsTotal);
  }

  /** Sets the engine's ready gauge (liveness, not metrics). */
  markEngineReady(e: EngineEndpoint, ready: boolean): void {
    this.ready.set({ node: this.#node, engine: e.name, model: e.model }, ready ? 1 : 0);
  }
}
