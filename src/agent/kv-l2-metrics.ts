/**
 * The agent's L2 counters (`infernode_kv_l2_*`): blocks fetched from peers, copies kept under
 * the HOT rule, and failed peer fetches. KvL2 counts in plain numbers (it builds no registry);
 * these counters read them at scrape time, so the pure counting stays apart from prom-client.
 */
import { Counter, type Registry } from '../shared/index.js';
import type { KvL2Stats } from './kv-l2.js';

/** Registers the L2 counters on `registry`, read from `stats` at each scrape. */
export function registerKvL2Metrics(registry: Registry, stats: Readonly<KvL2Stats>): void {
  const counter = (name: string, help: string, read: () => number): void => {
    let reported = 0;
    const c: Counter = new Counter({
      name,
      help,
      registers: [registry],
      collect: () => {
        const now = read();
        if (now > reported) c.inc(now - reported);
        reported = now;
      },
    });
  };
  counter(
    'infernode_kv_l2_fetched_blocks_total',
    'Blocks this node fetched from peer agents on an L1 miss (L2)',
    () => stats.fetchedBlocks,
  );
  counter(
    'infernode_kv_l2_kept_blocks_total',
    'Blocks fetched from peers that this node kept a copy of (the HOT rule)',
    () => stats.keptBlocks,
  );
  counter(
    'infernode_kv_l2_failed_fetches_total',
    'Peer fetches that failed (timeout, dead peer, refused); the engine recomputed',
    () => stats.failedFetches,
  );
}
