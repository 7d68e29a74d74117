/**
 * The read-through endpoint's metrics. Labels are bounded: `op` is one of the served S3
 * operations or `other`, `status` one of the few statuses the endpoint answers with.
 */
import { Counter, Gauge, Histogram, METRIC_PREFIX, type Registry } from '../../shared/index.js';
import type { S3OperationName } from '../s3-request-target.js';

/** Time to first byte buckets, seconds: a cache hit is sub-millisecond, a range still upstream seconds. */
const FIRST_BYTE_BUCKETS_SECONDS = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30,
];

/** Counters and histograms of one read-through endpoint. */
export class ReadThroughMetrics {
  readonly #requests: Counter<'op' | 'status'>;
  readonly #bytes: Counter;
  readonly #firstByte: Histogram<'op'>;
  readonly #inFlight: Gauge;

  constructor(registry: Registry) {
    const name = (rest: string) => `${METRIC_PREFIX}weights_read_through_${rest}`;
    this.#requests = new Counter({
      name: name('requests_total'),
      help: 'S3 requests answered by the read-through endpoint, by operation and status',
      labelNames: ['op', 'status'],
      registers: [registry],
    });
    this.#bytes = new Counter({
      name: name('served_bytes_total'),
      help: 'Object bytes sent to engines by the read-through endpoint',
      registers: [registry],
    });
    this.#firstByte = new Histogram({
      name: name('first_byte_seconds'),
      help: 'Time from a GetObject request to its first body byte (ranges still upstream wait here)',
      labelNames: ['op'],
      buckets: FIRST_BYTE_BUCKETS_SECONDS,
      registers: [registry],
    });
    this.#inFlight = new Gauge({
      name: name('requests_in_flight'),
      help: 'S3 requests the read-through endpoint is answering now',
      registers: [registry],
    });
  }

  /** One request answered with `status`, or `aborted` when its answer was cut short. */
  answered(op: S3OperationName, status: number | 'aborted'): void {
    this.#requests.inc({ op, status: String(status) });
  }

  served(bytes: number): void {
    this.#bytes.inc(bytes);
  }

  firstByte(op: S3OperationName, seconds: number): void {
    this.#firstByte.observe({ op }, seconds);
  }

  /** Counts a request in flight until the returned function is called. */
  begin(): () => void {
    this.#inFlight.inc();
    let ended = false;
    return () => {
      if (ended) return;
      ended = true;
      this.#inFlight.dec();
    };
  }
}
