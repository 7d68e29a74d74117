/**
 * The RayClusterFleet controller as the leader builds it (issue #16): Kubernetes mode only — in
 * static mode there is no KubeRay to create RayClusters with, so nothing is built. Its status
 * store is the fleets' status subresource; Events go through the node-ops sink.
 */
import { CorrelatingEventRecorder, type Timers } from '../controllers/index.js';
import type { RayClusterFleetStatus } from '../fleet/index.js';
import type { Clock, Logger, Registry, Rng, Runnable } from '../shared/index.js';
import { reconcileHostSettings } from './controller-settings.js';
import type { LeaderAdapters, LeaderConfig } from './leader-adapters.js';
import { RayClusterFleetController } from './ray-cluster-fleet-controller.js';

/** What the composition root hands over. */
export interface FleetRoots {
  readonly config: LeaderConfig;
  readonly adapters: LeaderAdapters;
  readonly log: Logger;
  readonly registry: Registry;
  readonly clock: Clock;
  readonly rng: Rng;
  readonly timers: Timers;
}

/** The fleet controller and its cluster API's informers, to run while leading; none in static mode. */
export function buildFleets(roots: FleetRoots): Runnable[] {
  const { adapters, clock } = roots;
  const api = adapters.fleetApi;
  if (api === undefined) return [];
  const log = roots.log.child({ component: 'ray-cluster-fleet' });
  const controller = new RayClusterFleetController({
    source: adapters.source,
    api,
    statuses: adapters.resourceStatus<RayClusterFleetStatus>('rayclusterfleets', 'RayClusterFleet'),
    events: new CorrelatingEventRecorder({
      sink: (event, options) => adapters.nodeOps.recordEvent(event, options),
      clock,
      log,
    }),
    log,
    registry: roots.registry,
    clock,
    rng: roots.rng,
    timers: roots.timers,
    settings: reconcileHostSettings(roots.config.controllers),
  });
  return [api, controller];
}
