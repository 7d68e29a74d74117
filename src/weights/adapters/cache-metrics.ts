/**
 * The node cache's metrics. Bytes on disk, pulls and parts in flight are read when scraped (a
 * gauge's collect), so they can never drift from the cache's own state.
 */
import { Counter, Gauge, Histogram, type Registry } from '../../shared/index.js';
import type { ArtifactScheme } from '../index.js';

/** What the gauges read at scrape time. */
export interface CacheGaugeReadings {
  readonly bytesOnDisk: () => number;
  readonly budgetBytes: () => number;
  readonly pullsInFlight: () => number;
  readonly partsInFlight: () => number;
}

/** Outcome label of a pull's duration: bounded, from the pull's end, never from input. */
export type PullOutcome = 'ok' | 'error' | 'aborted';

/** Counters and histogram the cache updates, plus the scrape-time gauges. */
export class WeightsCacheMetrics {
  readonly bytesFetched: Counter<'scheme'>;
  readonly hits: Counter;
  readonly misses: Counter;
  readonly pullDuration: Histogram<'outcome'>;

  constructor(registry: Registry, readings: CacheGaugeReadings) {
    const registers = [registry];
    this.bytesFetched = new Counter({
      name: 'infernode_weights_bytes_fetched_total',
      help: 'Bytes of model weights fetched from their source, by scheme',
      labelNames: ['scheme'],
      registers,
    });
    this.hits = new Counter({
      name: 'infernode_weights_cache_hits_total',
      help: 'Pulls answered from the node cache without a network request',
      registers,
    });
    this.misses = new Counter({
      name: 'infernode_weights_cache_misses_total',
      help: 'Pulls that started a fetch (concurrent pulls joining it are not counted again)',
      registers,
    });
    this.pullDuration = new Histogram({
      name: 'infernode_weights_pull_duration_seconds',
      help: 'Duration of fetches into the node cache, by outcome (ok, error, aborted)',
      labelNames: ['outcome'],
      buckets: [1, 5, 15, 30, 60, 120, 300, 600, 1200, 3600],
      registers,
    });
    const gauge = (name: string, help: string, read: () => number): void => {
      new Gauge({
        name,
        help,
        registers,
        collect() {
          this.set(read());
        },
      });
    };
    gauge(
      'infernode_weights_cache_bytes',
      'Bytes the node cache holds on disk (published models, pulls and stray partial pulls)',
      readings.bytesOnDisk,
    );
    gauge(
      'infernode_weights_cache_budget_bytes',
      'Disk budget of the node cache',
      readings.budgetBytes,
    );
    gauge(
      'infernode_weights_pulls_in_flight',
      'Artifact fetches in progress',
      readings.pullsInFlight,
    );
    gauge(
      'infernode_weights_parts_in_flight',
      'Ranged part requests in flight across all pulls',
      readings.partsInFlight,
    );
  }

  /** Counts fetched bytes for a scheme (a closed set of five). */
  fetched(scheme: ArtifactScheme, bytes: number): void {
    this.bytesFetched.inc({ scheme }, bytes);
  }
}
