import {
  Counter,
  Gauge,
  Histogram,
  OVERHEAD_BUCKETS_SECONDS,
  type Registry,
} from '../shared/index.js';

const MAX_LABEL_SETS = 1024;
/** Added-latency samples kept before they are observed in one pass (a scrape flushes sooner). */
const LATENCY_BATCH = 1024;

interface PendingCount {
  readonly labels: { model: string; status: string; strategy: string };
  count: number;
}

/** The gateway's own metrics (DESIGN.md §8). Model labels are bounded by the models discovered. */
export class GatewayMetrics {
  readonly requests: Counter<'model' | 'status' | 'strategy'>;
  readonly inFlight: Gauge;
  readonly addedLatency: Histogram;
  readonly upstreamErrors: Counter<'kind'>;
  readonly retries: Counter;
  readonly ejections: Counter;
  /**
   * Request counts not yet added to `requests`, by label set: prom-client's `inc({...})` hashes
   * and validates the label object on every call (a bound child does the same), so the gateway
   * counts in a plain map and adds the counts when the counter is read (its `collect`). The
   * labels are bounded (metric-labels.ts).
   */
  readonly #pendingRequests = new Map<string, PendingCount>();
  /**
   * Likewise for the added-latency histogram: prom-client's `observe` allocates, validates and
   * keys its bucket by the bound's decimal string, ~7 µs per request measured in a running
   * gateway. Samples wait here and are observed in one pass when read or when the batch fills.
   */
  readonly #pendingLatency = new Float64Array(LATENCY_BATCH);
  #pendingLatencyCount = 0;
  /** Requests in flight, read into the gauge when it is scraped. */
  #inFlightNow = 0;

  constructor(registry: Registry) {
    const registers = [registry];
    const pending = this.#pendingRequests;
    this.requests = new Counter({
      name: 'infernode_gateway_requests_total',
      help: 'Gateway requests by model, HTTP status and routing strategy',
      labelNames: ['model', 'status', 'strategy'],
      registers,
      collect() {
        for (const p of pending.values()) {
          if (p.count > 0) this.inc(p.labels, p.count);
          p.count = 0;
        }
      },
    });
    this.inFlight = new Gauge({
      name: 'infernode_gateway_in_flight_requests',
      help: 'Requests in flight through the gateway',
      registers,
      collect: () => this.inFlight.set(this.#inFlightNow),
    });
    this.addedLatency = new Histogram({
      name: 'infernode_gateway_added_latency_seconds',
      help: 'Time the gateway adds: parse, admit, route and dispatch, plus relaying the response headers',
      buckets: OVERHEAD_BUCKETS_SECONDS,
      registers,
      collect: () => this.#observePendingLatency(),
    });
    this.upstreamErrors = new Counter({
      name: 'infernode_gateway_upstream_errors_total',
      help: 'Upstream failures by kind (error code)',
      labelNames: ['kind'],
      registers,
    });
    this.retries = new Counter({
      name: 'infernode_gateway_retries_total',
      help: 'Requests retried on another engine',
      registers,
    });
    this.ejections = new Counter({
      name: 'infernode_gateway_ejections_total',
      help: 'Engines ejected by passive health checks',
      registers,
    });
  }

  /** A request went upstream (`requestEnded` when it is over). */
  requestStarted(): void {
    this.#inFlightNow++;
  }

  requestEnded(): void {
    this.#inFlightNow--;
  }

  /** Records the time the gateway added to one request, seconds. */
  observeAddedLatency(seconds: number): void {
    if (this.#pendingLatencyCount === LATENCY_BATCH) this.#observePendingLatency();
    this.#pendingLatency[this.#pendingLatencyCount++] = seconds;
  }

  #observePendingLatency(): void {
    for (let i = 0; i < this.#pendingLatencyCount; i++)
      this.addedLatency.observe(this.#pendingLatency[i] as number);
    this.#pendingLatencyCount = 0;
  }

  /** Counts one finished request (same series as `requests.inc({ model, status, strategy })`). */
  countRequest(model: string, status: string, strategy: string): void {
    const key = `${model}\u0000${status}\u0000${strategy}`;
    let p = this.#pendingRequests.get(key);
    if (p === undefined) {
      // A bound against a label bug: flush everything before forgetting the label sets.
      if (this.#pendingRequests.size >= MAX_LABEL_SETS) {
        for (const q of this.#pendingRequests.values())
          if (q.count > 0) this.requests.inc(q.labels, q.count);
        this.#pendingRequests.clear();
      }
      p = { labels: { model, status, strategy }, count: 0 };
      this.#pendingRequests.set(key, p);
    }
    p.count++;
  }
}
