/** Metrics of the leader's global KV block index (`infernode_kv_index_*`). */
import type { LeaderBlockIndex } from './leader-block-index.js';
import { Counter, Gauge, type Registry } from '../shared/index.js';

/** Registers gauges read from the index at scrape time, and the per-message counters. */
export class KvIndexMetrics {
  /** `kv` batches by outcome (applied, gap, ignored). */
  readonly batches: Counter<'outcome'>;
  readonly lookups: Counter;

  constructor(registry: Registry, index: LeaderBlockIndex) {
    const gauge = (name: string, help: string, read: () => number): void => {
      new Gauge({
        name,
        help,
        registers: [registry],
        collect() {
          this.set(read());
        },
      });
    };
    gauge(
      'infernode_kv_index_entries',
      'Distinct KV blocks in the global index',
      () => index.stats.entries,
    );
    gauge(
      'infernode_kv_index_nodes',
      'Nodes whose KV holdings the index tracks',
      () => index.stats.nodeCount,
    );
    gauge(
      'infernode_kv_index_engines',
      'Engines whose GPU KV cache the index tracks (they publish KV events)',
      () => index.stats.engineCount,
    );
    // Evictions live in the index (pure); a counter that follows them at scrape time.
    const seenEvictions = new Map<string, number>();
    new Counter({
      name: 'infernode_kv_index_evictions_total',
      help: 'Blocks the global index dropped to stay within its bounds, by bound',
      labelNames: ['bound'],
      registers: [registry],
      collect() {
        const now = index.stats.evictions;
        for (const [bound, value] of [
          ['entries', now.entries],
          ['node', now.nodeBound],
        ] as const) {
          const seen = seenEvictions.get(bound) ?? 0;
          if (value > seen) this.inc({ bound }, value - seen);
          seenEvictions.set(bound, value);
        }
      },
    });
    this.batches = new Counter({
      name: 'infernode_kv_index_batches_total',
      help: 'Agents’ kv batches by outcome: applied, gap (kv.resync sent), ignored (awaiting a reset)',
      labelNames: ['outcome'],
      registers: [registry],
    });
    this.lookups = new Counter({
      name: 'infernode_kv_index_lookups_total',
      help: 'Agents’ kv.lookup questions answered',
      registers: [registry],
    });
  }
}
