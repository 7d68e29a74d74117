/**
 * The leader's global KV block index wired in (issue #14): the agent hub's `kv` option (apply
 * batches, send `kv.resync` on a gap, answer `kv.lookup`), cluster-state reconciliation (engines
 * and nodes that leave the cluster leave the index), metrics and the `GET /v1/kv` view.
 *
 * A new leader starts with an empty index; each agent's first `kv` after its welcome is a reset
 * with its full holdings, so a failover costs at most one resync.
 *
 * The index is applied in a worker thread when `channel` is given (the leader's default,
 * `routing.prefixCache.blockIndexWorker`), else on this thread (leader-block-index.ts).
 */
import type { GlobalBlockIndexOptions } from '../kvcache/index.js';
import type { KvLookupMessage, KvLookupResultMessage, KvResyncMessage } from '../protocol/index.js';
import type { Logger, Registry } from '../shared/index.js';
import type { AgentHubOptions } from './agent-hub.js';
import type { ClusterStateStore } from './cluster-state.js';
import type { KvIndexChannelFactory } from './kv-index-channels.js';
import { KvIndexMetrics } from './kv-index-metrics.js';
import {
  InThreadBlockIndex,
  type LeaderBlockIndex,
  type LeaderBlockIndexEvents,
} from './leader-block-index.js';
import { WorkerBlockIndex } from './worker-block-index.js';

/** Default bounds: ~1M blocks (16 M tokens at 16 per block) is ~200 MB of index at most. */
export const KV_INDEX_DEFAULTS: GlobalBlockIndexOptions = {
  maxEntries: 1_000_000,
  maxBlocksPerNode: 500_000,
  maxNodes: 10_000,
  maxHolders: 16,
};

/** Nodes listed by `GET /v1/kv` at most (the rest are counted). */
export const KV_VIEW_MAX_NODES = 256;

export interface KvIndexWiringOptions {
  readonly store: ClusterStateStore;
  readonly registry: Registry;
  readonly log: Logger;
  /** Default {@link KV_INDEX_DEFAULTS}. */
  readonly bounds?: GlobalBlockIndexOptions;
  /** Keep one block in this many (routing.prefixCache.blockIndexSampleEvery). Default 1. */
  readonly sampleEvery?: number;
  /** Apply the index on a thread reached this way (WorkerBlockIndex); absent: on this thread. */
  readonly channel?: KvIndexChannelFactory;
}

/** What the composition root plugs in: the index, the hub option, the control view. */
export interface KvIndexWiring {
  readonly index: LeaderBlockIndex;
  /** The agent hub's `kv` option. */
  readonly hubOption: NonNullable<AgentHubOptions['kv']>;
  /** `GET /v1/kv`: per node its store report and counts, per engine its blocks (bounded). */
  readonly view: () => Promise<Record<string, unknown>>;
  /** Drops what the cluster no longer has: forgotten nodes, engines their agent stopped reporting. */
  readonly reconcile: (node?: string) => void;
}

/** Builds the index, its metrics and the hooks; call `reconcile` on cluster-state changes. */
export function buildKvIndex(options: KvIndexWiringOptions): KvIndexWiring {
  const bounds: GlobalBlockIndexOptions = {
    ...(options.bounds ?? KV_INDEX_DEFAULTS),
    ...(options.sampleEvery === undefined ? {} : { sampleEvery: options.sampleEvery }),
  };
  const log = options.log;
  // The latest way to answer each node on its connection, for resyncs the index asks later.
  const replies = new Map<string, (answer: KvResyncMessage) => boolean>();
  const resync = (node: string, reason: string): void =>
    void replies.get(node)?.({ v: 1, type: 'kv.resync', reason });
  const events: LeaderBlockIndexEvents = {
    counted: (outcome, n) => metrics.batches.inc({ outcome }, n),
    gap: (node, seq) => {
      log.warn({ node, seq }, 'kv seq gap or missing reset: asking for a resync');
      resync(node, `kv seq ${seq} out of order; send a reset`);
    },
    lost: () => {
      for (const node of replies.keys()) resync(node, 'the leader’s kv index started over');
    },
  };
  const index: LeaderBlockIndex =
    options.channel === undefined
      ? new InThreadBlockIndex(bounds, events)
      : new WorkerBlockIndex({ bounds, events, channel: options.channel, log });
  const metrics = new KvIndexMetrics(options.registry, index);

  const onLookup = (
    msg: KvLookupMessage,
    node: string,
    reply: (a: KvLookupResultMessage) => boolean,
  ): void => {
    metrics.lookups.inc();
    void index
      .lookup(msg.hashes, node)
      .then((holders) => reply({ v: 1, type: 'kv.lookup.result', id: msg.id, holders }));
  };

  return {
    index,
    hubOption: {
      agentMessage: (node, msg, reply) => {
        if (msg.type === 'kv.lookup') return onLookup(msg, node, reply);
        if (!replies.has(node) && replies.size >= (bounds.maxNodes ?? 10_000))
          return metrics.batches.inc({ outcome: 'ignored' }); // the index has no room for it
        replies.set(node, reply);
        index.apply(node, msg);
      },
      agentGone: (node) => {
        replies.delete(node);
        index.disconnected(node);
      },
    },
    view: async () => {
      const nodes = await index.freshSummary(KV_VIEW_MAX_NODES);
      const { entries, nodeCount, engineCount, evictions } = index.stats;
      return {
        // Block counts below are of kept blocks: one in `sampleEvery` of what agents reported.
        sampleEvery: index.sampleEvery,
        entries,
        nodeCount,
        engineCount,
        evictions: { ...evictions },
        truncated: nodeCount > nodes.length,
        nodes,
      };
    },
    reconcile: (node) => {
      // One node's change reads that node only: listing every node per change made a cluster's
      // worth of hellos cost N² (issue #18).
      if (node !== undefined)
        return index.reconcile([[node, options.store.node(node)?.engineIds ?? null]], false);
      index.reconcile(
        options.store.nodes().map((n) => [n.node, n.engineIds] as const),
        true,
      );
    },
  };
}
