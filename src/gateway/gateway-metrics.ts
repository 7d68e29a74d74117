import {
  Counter,
  Gauge,
  Histogram,
  OVERHEAD_BUCKETS_SECONDS,
  type Registry,
} from '../shared/index.js';

/** The gateway's own metrics (DESIGN.md §8). Model labels are bounded by the models discovered. */
export class GatewayMetrics {
  readonly requests: Counter<'model' | 'status' | 'strategy'>;
  readonly inFlight: Gauge;
  readonly addedLatency: Histogram;
  readonly upstreamErrors: Counter<'kind'>;
  readonly retries: Counter;
  readonly ejections: Counter;

  constructor(registry: Registry) {
    const registers = [registry];
    this.requests = new Counter({
      name: 'infernode_gateway_requests_total',
      help: 'Gateway requests by model, HTTP status and routing strategy',
      labelNames: ['model', 'status', 'strategy'],
      registers,
    });
    this.inFlight = new Gauge({
      name: 'infernode_gateway_in_flight_requests',
      help: 'Requests in flight through the gateway',
      registers,
    });
    this.addedLatency = new Histogram({
      name: 'infernode_gateway_added_latency_seconds',
      help: 'Time the gateway adds: parse, admit, route and dispatch, plus relaying the response headers',
      buckets: OVERHEAD_BUCKETS_SECONDS,
      registers,
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
}
