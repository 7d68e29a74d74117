/**
 * The RayClusterFleet controller as a leader-only part (issue #16; Kubernetes mode only): its
 * reconciler on the shared reconcile host (name `ray-cluster-fleet`, keys `<namespace>/<name>`).
 * Keys come from the fleets discovery holds (a change or a removal names its key) and from the
 * cluster API's cache (a RayCluster or revision record of a fleet changed: KubeRay marked one
 * ready, a delete finished).
 */
import {
  ConflictRetryingStatusWriter,
  ReconcileHost,
  viewKeys,
  type EventRecorder,
  type KeySource,
  type ReconcileHostSettings,
  type StatusStore,
  type Timers,
  type ViewSource,
} from '../controllers/index.js';
import type { ClusterView } from '../discovery/index.js';
import type { FleetClusterApi, RayClusterFleetStatus } from '../fleet/index.js';
import type { Clock, Logger, Registry, Rng, Runnable } from '../shared/index.js';
import { FleetExpectations } from './fleet-expectations.js';
import { RayClusterFleetReconciler, fleetKey } from './ray-cluster-fleet-reconciler.js';

/** What the controller needs from the leader. */
export interface RayClusterFleetControllerOptions {
  /** Discovery: the RayClusterFleet resources. */
  readonly source: ViewSource<ClusterView>;
  /** RayClusters and revision records (a Runnable adapter: run it beside the controller). */
  readonly api: FleetClusterApi;
  readonly statuses: StatusStore<RayClusterFleetStatus>;
  readonly events: EventRecorder;
  readonly log: Logger;
  readonly registry: Registry;
  readonly clock: Clock;
  readonly rng: Rng;
  readonly timers: Timers;
  /** How long an unseen create or delete is expected. Default 300000 (Kubernetes'). */
  readonly expectationTtlMs?: number;
  readonly settings?: Partial<ReconcileHostSettings>;
}

const fleetEntries = (view: ClusterView): [string, string][] =>
  view.resources
    .filter((r) => r.kind === 'RayClusterFleet')
    .map((r) => [fleetKey(r), r.metadata.resourceVersion ?? JSON.stringify([r.metadata, r.spec])]);

/** Keys of fleets whose RayClusters or revision records changed. */
function ownedObjectKeys(api: FleetClusterApi, source: ViewSource<ClusterView>): KeySource {
  return {
    watch: (onKey) => api.onChange((namespace, fleet) => onKey(`${namespace}/${fleet}`)),
    list: () => fleetEntries(source.current()).map(([k]) => k),
  };
}

export class RayClusterFleetController implements Runnable {
  readonly name = 'ray-cluster-fleet';
  readonly #host: ReconcileHost;
  readonly #expectations: FleetExpectations;

  constructor(options: RayClusterFleetControllerOptions) {
    const { source } = options;
    this.#expectations = new FleetExpectations(options.expectationTtlMs);
    const reconciler = new RayClusterFleetReconciler({
      view: () => source.current(),
      api: options.api,
      statuses: new ConflictRetryingStatusWriter(options.statuses),
      events: options.events,
      expectations: this.#expectations,
      clock: options.clock,
      rng: options.rng,
    });
    this.#host = new ReconcileHost({
      name: this.name,
      reconciler,
      sources: [viewKeys(source, fleetEntries), ownedObjectKeys(options.api, source)],
      log: options.log,
      registry: options.registry,
      clock: options.clock,
      rng: options.rng,
      timers: options.timers,
      ...(options.settings === undefined ? {} : { settings: options.settings }),
    });
  }

  /** Fleets with creates or deletes not yet seen (for leak checks). */
  get pendingExpectations(): number {
    return this.#expectations.size;
  }

  async run(signal: AbortSignal): Promise<void> {
    await this.#host.run(signal);
  }
}
