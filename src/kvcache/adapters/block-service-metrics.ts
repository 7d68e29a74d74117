/**
 * The block service's metrics (`infernode_kv_*`). The store's own counters are read from
 * `BlockStore.stats()` at scrape time (the pure store builds no registry); what only the service
 * sees — ops, bytes on the wire, connections closed and why, hits per tier — is counted here.
 * Every label has a fixed set of values.
 */
import { Counter, Gauge, Histogram, type Registry } from '../../shared/index.js';
import type { BlockStore } from '../block-store.js';
import type { ReceivePool } from '../receive-pool.js';
import type { BlockOp } from '../block-wire-format.js';

/** Why a connection ended (the `reason` label). */
export type CloseReason =
  | 'client'
  | 'malformed'
  | 'oversized'
  | 'unauthenticated'
  | 'idle-timeout'
  | 'frame-timeout'
  | 'too-many-connections'
  | 'socket-error'
  | 'shutdown'
  | 'unshared';

/** How an op ended (the `outcome` label). */
export type OpOutcome = 'ok' | 'error';

/** Where a block was found, or was not (the `tier` label). */
export type KvTierLabel = 'l1' | 'l2';

/** The service's metrics, on one registry; the store and live gauges are read at scrape time. */
export class BlockServiceMetrics {
  readonly ops: Counter<'op' | 'outcome'>;
  readonly bytesIn: Counter;
  readonly bytesOut: Counter;
  readonly closed: Counter<'reason'>;
  readonly hits: Counter<'tier'>;
  readonly misses: Counter<'tier'>;
  /** Blocks served to peer agents (their L2 fetches), so a node shows what it gave away. */
  readonly peerServed: Counter;
  /**
   * A local client's get-prefix from the decoded frame to its reply, by the last tier asked (l1:
   * the local run alone; l2: continued over peers). What an engine's lookup waits on past this is
   * the sockets and this agent's event loop before the frame was read.
   */
  readonly getPrefixSeconds: Histogram<'tier'>;
  /** The hits and misses per tier as plain numbers, for the agent's report to the leader. */
  readonly lookups = { l1Hits: 0, l1Misses: 0, l2Hits: 0, l2Misses: 0 };
  private readonly sources: {
    store?: BlockStore;
    connections?: () => number;
    queuedBytes?: () => number;
    pool?: ReceivePool;
  } = {};
  private reportedEvictions = 0;
  private reportedFresh = 0;

  constructor(registry: Registry) {
    const registers = [registry];
    this.ops = new Counter({
      name: 'infernode_kv_ops_total',
      help: 'Block service requests by op and outcome',
      labelNames: ['op', 'outcome'],
      registers,
    });
    this.bytesIn = new Counter({
      name: 'infernode_kv_received_bytes_total',
      help: 'Bytes read from block service connections',
      registers,
    });
    this.bytesOut = new Counter({
      name: 'infernode_kv_sent_bytes_total',
      help: 'Bytes written to block service connections',
      registers,
    });
    this.closed = new Counter({
      name: 'infernode_kv_connections_closed_total',
      help: 'Block service connections closed, by reason (client: the client closed it)',
      labelNames: ['reason'],
      registers,
    });
    this.hits = new Counter({
      name: 'infernode_kv_hits_total',
      help: 'Blocks served, by tier (l1: this node’s store, l2: fetched from a peer)',
      labelNames: ['tier'],
      registers,
    });
    this.misses = new Counter({
      name: 'infernode_kv_misses_total',
      help: 'Blocks asked for and not held, by tier (l2: no peer could serve it either)',
      labelNames: ['tier'],
      registers,
    });
    this.peerServed = new Counter({
      name: 'infernode_kv_peer_served_blocks_total',
      help: 'Blocks served to peer agents’ L2 fetches (a subset of the l1 hits)',
      registers,
    });
    this.getPrefixSeconds = new Histogram({
      name: 'infernode_kv_get_prefix_seconds',
      help: 'A local get-prefix from its decoded frame to its reply, by the last tier asked (l2: continued over peers)',
      labelNames: ['tier'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers,
    });
    const sources = this.sources;
    const gauge = (name: string, help: string, read: () => number | undefined): void => {
      new Gauge({
        name,
        help,
        registers,
        collect() {
          const v = read();
          if (v !== undefined) this.set(v);
        },
      });
    };
    gauge(
      'infernode_kv_store_used_bytes',
      'Bytes of the blocks held in the L1 store',
      () => sources.store?.stats().bytes,
    );
    gauge(
      'infernode_kv_store_budget_bytes',
      'The L1 store’s byte budget',
      () => sources.store?.stats().budgetBytes,
    );
    gauge(
      'infernode_kv_store_blocks',
      'Blocks held in the L1 store',
      () => sources.store?.stats().blocks,
    );
    gauge('infernode_kv_connections', 'Open block service connections', () =>
      sources.connections?.(),
    );
    gauge(
      'infernode_kv_queued_bytes',
      'Reply bytes written but not yet taken by the clients (bounded by backpressure)',
      () => sources.queuedBytes?.(),
    );
    gauge(
      'infernode_kv_receive_pool_bytes',
      'Memory of received put frames kept for the next ones (given back once stored)',
      () => sources.pool?.pooledBytes,
    );
    const evictions = new Counter({
      name: 'infernode_kv_store_evictions_total',
      help: 'Blocks the L1 store evicted to make room',
      registers,
      collect: () => {
        const total = sources.store?.stats().evictionsTotal ?? 0;
        evictions.inc(total - this.reportedEvictions);
        this.reportedEvictions = total;
      },
    });
    const fresh = new Counter({
      name: 'infernode_kv_receive_fresh_segments_total',
      help: 'Receive segments taken as fresh memory (the rest reused pooled ones)',
      registers,
      collect: () => {
        const total = sources.pool?.freshTotal ?? 0;
        fresh.inc(total - this.reportedFresh);
        this.reportedFresh = total;
      },
    });
  }

  /** Blocks asked of a tier: `hits` found, `misses` not (both the metric and the plain count). */
  countLookups(tier: KvTierLabel, hits: number, misses: number): void {
    this.hits.inc({ tier }, hits);
    this.misses.inc({ tier }, misses);
    if (tier === 'l1') {
      this.lookups.l1Hits += hits;
      this.lookups.l1Misses += misses;
    } else {
      this.lookups.l2Hits += hits;
      this.lookups.l2Misses += misses;
    }
  }

  /** Reads the store's gauges and counters from `store` at scrape time. */
  watchStore(store: BlockStore): void {
    this.sources.store = store;
  }

  /** Reads the receive pool's gauges at scrape time. */
  watchReceivePool(pool: ReceivePool): void {
    this.sources.pool = pool;
  }

  /** Reads the live connection count and queued reply bytes at scrape time. */
  watchServer(connections: () => number, queuedBytes: () => number): void {
    this.sources.connections = connections;
    this.sources.queuedBytes = queuedBytes;
  }

  /** One request handled. */
  op(op: BlockOp, outcome: OpOutcome): void {
    this.ops.inc({ op, outcome });
  }
}
