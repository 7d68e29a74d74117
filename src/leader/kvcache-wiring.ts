/**
 * The KVCache controller as the leader builds it (issue #14): discovery's KVCache resources, the
 * status store (the status subresource on Kubernetes, the static statuses that `GET
 * /v1/resources` shows otherwise), and each node's store usage from the global KV index.
 */
import type { Timers } from '../controllers/index.js';
import type { KVCacheStatus, KvStoreReportOf } from '../kvcache/index.js';
import type { Clock, Logger, Registry, Rng } from '../shared/index.js';
import type { ClusterStateStore } from './cluster-state.js';
import type { CommandClient } from './command-client.js';
import { reconcileHostSettings } from './controller-settings.js';
import { KvCacheController } from './kvcache-controller.js';
import type { LeaderAdapters, LeaderConfig } from './leader-adapters.js';

/** What the composition root hands over. */
export interface KvCacheRoots {
  readonly config: LeaderConfig;
  readonly adapters: LeaderAdapters;
  readonly store: ClusterStateStore;
  readonly commands: Pick<CommandClient, 'send'>;
  /** The KV index's latest store report per node (`kvIndex.index.storeOf`). */
  readonly reportOf: KvStoreReportOf;
  readonly log: Logger;
  readonly registry: Registry;
  readonly clock: Clock;
  readonly rng: Rng;
  readonly timers: Timers;
}

/** The controller, ready to run among the leader-only parts. */
export function buildKvCaches(roots: KvCacheRoots): KvCacheController {
  return new KvCacheController({
    source: roots.adapters.source,
    store: roots.store,
    commands: roots.commands,
    statuses: roots.adapters.resourceStatus<KVCacheStatus>('kvcaches', 'KVCache'),
    reportOf: roots.reportOf,
    log: roots.log.child({ component: 'kvcache' }),
    registry: roots.registry,
    clock: roots.clock,
    rng: roots.rng,
    timers: roots.timers,
    settings: reconcileHostSettings(roots.config.controllers),
  });
}
