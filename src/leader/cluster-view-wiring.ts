/**
 * The leader's picture of the cluster and how discovery keeps it current: the replicated state
 * store (agents' reports), the global KV block index, the prefix index, the routing state and, in
 * static mode, the cluster file's scale groups; plus the fan-out that feeds each discovery view
 * to them. Apart from main.ts because it is one concept every other part only reads: what the
 * leader knows of its cluster, and in what order a new view reaches each holder.
 */
import { PrefixIndex } from '../kvcache/index.js';
import type { ScaleGroupEntry } from '../discovery/index.js';
import { asRoutingConfig, createRoutingState, type RoutingState } from '../routing/index.js';
import type { Clock, Logger, Registry } from '../shared/index.js';
import { ReplicatedClusterStateStore } from './replicated-cluster-state.js';
import { registerClusterMetrics } from './cluster-metrics.js';
import { FOLLOWER_REPORT_GAP_MS } from './agent-pace.js';
import type { LeaderAdapters, LeaderConfig } from './leader-adapters.js';
import { StaticScaleClient } from './adapters/static-scale-client.js';
import { workerThreadChannel } from './kv-index-channels.js';
import { buildKvIndex, type KvIndexWiring } from './kv-index-wiring.js';

export interface ClusterViewOptions {
  readonly config: LeaderConfig;
  readonly adapters: LeaderAdapters;
  /** Static mode: the cluster file as first read (its scale groups); undefined on Kubernetes. */
  readonly staticFile: { readonly scaleGroups: readonly ScaleGroupEntry[] } | undefined;
  readonly log: Logger;
  readonly registry: Registry;
  readonly clock: Clock;
}

export interface ClusterView {
  readonly store: ReplicatedClusterStateStore;
  /** The global KV block index (issue #14): agents' kv batches in, precise prefix routing out. */
  readonly kvIndex: KvIndexWiring;
  /** Owned here: prefix-cache reads and feeds it through the routing context. */
  readonly prefixIndex: PrefixIndex;
  readonly routingState: RoutingState;
  /** Static mode: the cluster file's scale groups are scale targets (the scale state file). */
  readonly staticScale: StaticScaleClient | undefined;
  /** The scale groups as last read from the cluster file (empty on Kubernetes). */
  readonly scaleGroups: () => readonly ScaleGroupEntry[];
}

/** Builds the cluster view's holders and subscribes them to discovery. */
export function buildClusterView(o: ClusterViewOptions): ClusterView {
  const { config, adapters, registry } = o;
  const { source, applyResources } = adapters;
  const store = new ReplicatedClusterStateStore({
    clock: o.clock,
    staleAfterMs: config.agents.staleAfterMs,
    forgetAfterMs: config.agents.forgetAfterMs,
    maxUndiscoveredNodes: config.agents.maxUndiscoveredNodes,
  });
  // Until this replica leads (and paces agents itself), a leader it follows may pace them.
  store.allowReportGap(FOLLOWER_REPORT_GAP_MS);
  const kvIndex = buildKvIndex({
    store,
    registry,
    log: o.log.child({ component: 'kv-index' }),
    sampleEvery: config.routing.prefixCache.blockIndexSampleEvery,
    ...(config.routing.prefixCache.blockIndexWorker ? { channel: workerThreadChannel } : {}),
  });
  store.onChange((_reason, node) => kvIndex.reconcile(node));
  const routingConfig = asRoutingConfig(config.routing);
  const routingState = createRoutingState(routingConfig);
  const prefixIndex = new PrefixIndex(routingConfig.prefixCache);
  const staticScale =
    o.staticFile === undefined
      ? undefined
      : new StaticScaleClient({ clusterFile: config.clusterFile });
  let scaleGroups = o.staticFile?.scaleGroups ?? [];
  source.onChange((view) => {
    // First: controllers woken by this view must find their in-memory statuses.
    adapters.staticStatuses?.sync(view.resources);
    if (staticScale !== undefined)
      void staticScale.groups().then(
        (groups) => (scaleGroups = groups),
        () => undefined, // the source logged the bad edit and kept the last good view
      );
    prefixIndex.retain(view.endpoints.map((e) => e.id));
    store.setDiscovery(view);
    kvIndex.reconcile(); // nodes the store forgot leave the index
    applyResources(view.resources);
  });
  registerClusterMetrics(registry, store);
  return {
    store,
    kvIndex,
    prefixIndex,
    routingState,
    staticScale,
    scaleGroups: () => scaleGroups,
  };
}
