/**
 * Reconciles one RayClusterFleet (issue #16): reads the fleet from discovery and its RayClusters
 * and revision records from the cluster API's cache, settles expectations, finds the template
 * hash (bumping collisionCount on a hash collision), asks the pure planner (src/fleet) and
 * applies its plan (fleet-plan-applier.ts), then writes the status. A spec KubeRay would reject
 * plans nothing and shows ReplicaFailure InvalidSpec — no crash loop, nothing deleted.
 */
import {
  DONE,
  type EventRecorder,
  type ReconcileContext,
  type ReconcileResult,
  type Reconciler,
  type StatusWriter,
} from '../controllers/index.js';
import type { ClusterView, CustomResource } from '../discovery/index.js';
import { INFERNODE_API_VERSION } from '../discovery/index.js';
import {
  FLEET_LABELS,
  ROLLBACK_ANNOTATION,
  canonicalJson,
  parseRollbackTo,
  planRollout,
  templateHash,
  toFleetCluster,
  type FleetCluster,
  type FleetClusterApi,
  type FleetRevisionRecord,
  type OwnerReference,
  type RayClusterFleet,
  type RayClusterFleetStatus,
  type ScaleRecord,
} from '../fleet/index.js';
import type { Clock, Rng } from '../shared/index.js';
import { applyFleetPlan } from './fleet-plan-applier.js';
import type { FleetExpectations } from './fleet-expectations.js';

/** What the reconciler needs. */
export interface RayClusterFleetReconcilerOptions {
  readonly view: () => ClusterView;
  readonly api: FleetClusterApi;
  readonly statuses: StatusWriter<RayClusterFleetStatus>;
  readonly events: EventRecorder;
  readonly expectations: FleetExpectations;
  readonly clock: Clock;
  readonly rng: Rng;
}

/** `<namespace>/<name>` of a fleet. */
export const fleetKey = (r: CustomResource): string =>
  `${r.metadata.namespace ?? 'default'}/${r.metadata.name}`;

const isFleet = (r: CustomResource): r is RayClusterFleet =>
  r.apiVersion === INFERNODE_API_VERSION && r.kind === 'RayClusterFleet';

/** The hash of the template, and the collision count it took to find a free one. */
function hashFor(
  fleet: RayClusterFleet,
  records: readonly FleetRevisionRecord[],
): { hash: string; collisionCount: number } {
  let collisionCount = fleet.status?.collisionCount ?? 0;
  const wanted = canonicalJson(fleet.spec.template);
  for (let i = 0; i < 10; i++) {
    const hash = templateHash(fleet.spec.template, collisionCount);
    const same = records.find((r) => r.hash === hash);
    if (same === undefined || canonicalJson(same.template) === wanted)
      return { hash, collisionCount };
    collisionCount++;
  }
  return { hash: templateHash(fleet.spec.template, collisionCount), collisionCount };
}

function lastScaleOf(
  annotations: Readonly<Record<string, string>> | undefined,
): ScaleRecord | undefined {
  const desired = Number(annotations?.[FLEET_LABELS.desiredReplicas]);
  const max = Number(annotations?.[FLEET_LABELS.maxReplicas]);
  if (
    !Number.isInteger(desired) ||
    !Number.isInteger(max) ||
    annotations?.[FLEET_LABELS.desiredReplicas] === undefined
  )
    return undefined;
  return { desiredReplicas: desired, maxReplicas: max };
}

export class RayClusterFleetReconciler implements Reconciler {
  readonly #o: RayClusterFleetReconcilerOptions;

  constructor(options: RayClusterFleetReconcilerOptions) {
    this.#o = options;
  }

  async reconcile(key: string, context: ReconcileContext): Promise<ReconcileResult> {
    const { api, expectations, clock } = this.#o;
    const fleet = this.#o
      .view()
      .resources.find((r): r is RayClusterFleet => isFleet(r) && fleetKey(r) === key);
    if (fleet === undefined) {
      expectations.forget(key);
      return DONE;
    }
    if (fleet.metadata.deletionTimestamp !== undefined) return DONE;
    const namespace = fleet.metadata.namespace ?? 'default';
    const name = fleet.metadata.name;
    const uid = fleet.metadata.uid ?? '';
    const nowMs = clock.now();
    const owner: OwnerReference = {
      apiVersion: INFERNODE_API_VERSION,
      kind: 'RayClusterFleet',
      name,
      uid,
      controller: true,
      blockOwnerDeletion: true,
    };

    const owned = api
      .clusters(namespace, name)
      .filter(
        (c) =>
          c.metadata.ownerReferences?.some((o) => o.controller === true && o.uid === uid) ?? false,
      );
    const seen = new Map(
      owned.map((c) => [c.metadata.name, { deleting: c.metadata.deletionTimestamp !== undefined }]),
    );
    const pending = expectations.settle(key, seen, nowMs);
    const clusters: FleetCluster[] = owned.map((c) => {
      const view = toFleetCluster(c, nowMs);
      return pending.deleting.has(view.name) ? { ...view, deleting: true } : view;
    });
    for (const c of pending.creates)
      clusters.push({
        name: c.name,
        hash: c.hash,
        createdMs: c.atMs,
        ready: false,
        deletionCost: 0,
        deleting: false,
      });

    const records = api.revisions(namespace, name);
    const { hash, collisionCount } = hashFor(fleet, records);
    const annotations = fleet.metadata.annotations;
    const rollback = parseRollbackTo(annotations?.[ROLLBACK_ANNOTATION]);
    if (rollback.bad) {
      await api.patchFleet(
        namespace,
        name,
        { annotations: { [ROLLBACK_ANNOTATION]: null } },
        context,
      );
      await this.#o.events.record(
        {
          involvedObject: { kind: 'RayClusterFleet', name, namespace },
          type: 'Warning',
          reason: 'RollbackRevisionNotFound',
          message: `${ROLLBACK_ANNOTATION} must be a revision number, got "${annotations?.[ROLLBACK_ANNOTATION] ?? ''}"`,
        },
        context,
      );
    }
    const lastScale = lastScaleOf(annotations);
    const plan = planRollout({
      spec: fleet.spec,
      generation: fleet.metadata.generation ?? 1,
      ...(fleet.status === undefined ? {} : { status: fleet.status }),
      ...(rollback.to === undefined ? {} : { rollbackTo: rollback.to }),
      ...(lastScale === undefined ? {} : { lastScale }),
      collisionCount,
      templateHash: hash,
      revisions: records.map((r) => ({ hash: r.hash, revision: r.revision })),
      clusters,
      nowMs,
    });

    const failure = await applyFleetPlan(plan, {
      ...this.#o,
      key,
      fleet,
      namespace,
      owner,
      records,
      nowMs,
      signal: context.signal,
    });
    // The same failure again, for the same generation, leaves the status as it is (as
    // SetDeploymentCondition leaves a condition with the same status and reason): rewriting it
    // with fresh timestamps would fire the fleet's watch, requeue it at once and bypass the retry
    // backoff — a hot loop of refused creates.
    const before = fleet.status?.conditions?.find((c) => c.type === 'ReplicaFailure');
    const repeated =
      failure !== undefined &&
      before?.status === failure.status &&
      before.reason === failure.reason &&
      fleet.status?.observedGeneration === plan.status.observedGeneration;
    const status =
      failure === undefined
        ? plan.status
        : {
            ...plan.status,
            conditions: [
              ...(plan.status.conditions ?? []).filter((c) => c.type !== 'ReplicaFailure'),
              failure,
            ],
          };
    if (!repeated)
      await this.#o.statuses.update(
        key,
        (current) => (canonicalJson(current) === canonicalJson(status) ? undefined : status),
        context,
      );
    if (failure !== undefined) throw new Error(failure.message);
    return plan.requeueAfterMs === undefined
      ? DONE
      : { requeueAfterMs: Math.max(1, Math.ceil(plan.requeueAfterMs)) };
  }
}
