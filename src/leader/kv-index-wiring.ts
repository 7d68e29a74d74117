/**
 * The leader's global KV block index wired in (issue #14): the agent hub's `kv` option (apply
 * batches, send `kv.resync` on a gap, answer `kv.lookup`), cluster-state reconciliation (engines
 * and nodes that leave the cluster leave the index), metrics and the `GET /v1/kv` view.
 *
 * A new leader starts with an empty index; each agent's first `kv` after its welcome is a reset
 * with its full holdings, so a failover costs at most one resync.
 */
import { GlobalBlockIndex, type GlobalBlockIndexOptions } from '../kvcache/index.js';
import type {
  KvLookupMessage,
  KvMessage,
  KvLookupResultMessage,
  KvResyncMessage,
} from '../protocol/index.js';
import type { Logger, Registry } from '../shared/index.js';
import type { AgentHubOptions } from './agent-hub.js';
import type { ClusterStateStore } from './cluster-state.js';
import { KvIndexMetrics } from './kv-index-metrics.js';

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
}

/** What the composition root plugs in: the index, the hub option, the control view. */
export interface KvIndexWiring {
  readonly index: GlobalBlockIndex;
  /** The agent hub's `kv` option. */
  readonly hubOption: NonNullable<AgentHubOptions['kv']>;
  /** `GET /v1/kv`: per node its store report and counts, per engine its blocks (bounded). */
  readonly view: () => Record<string, unknown>;
  /** Drops what the cluster no longer has: forgotten nodes, engines their agent stopped reporting. */
  readonly reconcile: (node?: string) => void;
}

/** Builds the index, its metrics and the hooks; call `reconcile` on cluster-state changes. */
export function buildKvIndex(options: KvIndexWiringOptions): KvIndexWiring {
  const index = new GlobalBlockIndex({
    ...(options.bounds ?? KV_INDEX_DEFAULTS),
    ...(options.sampleEvery === undefined ? {} : { sampleEvery: options.sampleEvery }),
  });
  const metrics = new KvIndexMetrics(options.registry, index);
  const log = options.log;

  const onBatch = (node: string, msg: KvMessage, reply: (a: KvResyncMessage) => boolean): void => {
    const outcome = index.apply(node, msg);
    metrics.batches.inc({ outcome });
    if (outcome !== 'gap') return;
    log.warn({ node, seq: msg.seq }, 'kv seq gap or missing reset: asking for a resync');
    reply({ v: 1, type: 'kv.resync', reason: `kv seq ${msg.seq} out of order; send a reset` });
  };
  const onLookup = (
    msg: KvLookupMessage,
    node: string,
    reply: (a: KvLookupResultMessage) => boolean,
  ): void => {
    metrics.lookups.inc();
    reply({ v: 1, type: 'kv.lookup.result', id: msg.id, holders: index.lookup(msg.hashes, node) });
  };

  const reconcileNode = (node: string, known: Map<string, readonly string[]>): void => {
    const engines = known.get(node);
    if (engines === undefined) return index.dropNode(node);
    for (const id of index.enginesOn(node)) if (!engines.includes(id)) index.dropEngine(id);
  };

  return {
    index,
    hubOption: {
      agentMessage: (node, msg, reply) =>
        msg.type === 'kv' ? onBatch(node, msg, reply) : onLookup(msg, node, reply),
      agentGone: (node) => index.disconnected(node),
    },
    view: () => {
      const nodes = index.summary(KV_VIEW_MAX_NODES);
      return {
        // Block counts below are of kept blocks: one in `sampleEvery` of what agents reported.
        sampleEvery: index.sampleEvery,
        entries: index.entries,
        nodeCount: index.nodeCount,
        engineCount: index.engineCount,
        evictions: { ...index.evictions },
        truncated: index.nodeCount > nodes.length,
        nodes,
      };
    },
    reconcile: (node) => {
      // One node's change reads that node only: listing every node per change made a cluster's
      // worth of hellos cost N² (issue #18).
      if (node !== undefined) {
        const state = options.store.node(node);
        return reconcileNode(node, new Map(state === undefined ? [] : [[node, state.engineIds]]));
      }
      const known = new Map(options.store.nodes().map((n) => [n.node, n.engineIds]));
      for (const n of index.nodeNames()) reconcileNode(n, known);
    },
  };
}
