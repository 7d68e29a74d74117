/**
 * Applies a RayClusterFleet plan through the cluster API, in an order that is safe to cut short:
 * history first (a cluster never exists without its template recorded), then deletes, then
 * creates (each expected before it is sent, so a reconcile racing the cache cannot repeat it),
 * then fleet patches. Events: the planner's, plus SuccessfulCreate/SuccessfulDelete and
 * FailedCreate. A failed create returns a ReplicaFailure condition for the status.
 */
import type { EventRecorder } from '../controllers/index.js';
import {
  FLEET_LABELS,
  ROLLBACK_ANNOTATION,
  rayClusterBody,
  rayClusterName,
  type FleetClusterApi,
  type FleetCondition,
  type FleetEvent,
  type FleetPlan,
  type FleetRevisionRecord,
  type OwnerReference,
  type RayClusterFleet,
} from '../fleet/index.js';
import { toError, type Rng } from '../shared/index.js';
import type { FleetExpectations } from './fleet-expectations.js';

/** What applying needs. */
export interface FleetPlanTarget {
  readonly api: FleetClusterApi;
  readonly events: EventRecorder;
  readonly expectations: FleetExpectations;
  readonly rng: Rng;
  readonly key: string;
  readonly fleet: RayClusterFleet;
  readonly namespace: string;
  readonly owner: OwnerReference;
  readonly records: readonly FleetRevisionRecord[];
  readonly nowMs: number;
  readonly signal: AbortSignal;
}

const SUFFIX_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

function suffix(rng: Rng): string {
  let out = '';
  for (let i = 0; i < 5; i++)
    out += SUFFIX_ALPHABET.charAt(Math.floor(rng.next() * SUFFIX_ALPHABET.length));
  return out;
}

/** Applies the plan; returns a ReplicaFailure condition when a create failed. */
export async function applyFleetPlan(
  plan: FleetPlan,
  t: FleetPlanTarget,
): Promise<FleetCondition | undefined> {
  const { api, namespace, owner, signal } = t;
  const name = owner.name;
  const options = { signal };
  const record = (e: FleetEvent): Promise<void> =>
    t.events.record(
      { involvedObject: { kind: 'RayClusterFleet', name, namespace }, ...e },
      options,
    );
  const templates = new Map(t.records.map((r) => [r.hash, r]));
  const templateOf = (hash: string): unknown =>
    templates.get(hash)?.template ?? t.fleet.spec.template;

  for (const e of plan.events) await record(e);
  for (const action of plan.actions) {
    if (action.kind === 'recordRevision') {
      const existing = templates.get(action.hash);
      const next: FleetRevisionRecord = {
        name: existing?.name ?? `${name.slice(0, 40)}-${action.hash}`,
        hash: action.hash,
        revision: action.revision,
        template: existing?.template ?? t.fleet.spec.template,
      };
      await api.writeRevision(namespace, name, owner, next, options);
      templates.set(action.hash, next);
    } else if (action.kind === 'delete') {
      for (const cluster of action.clusters) {
        t.expectations.expectDelete(t.key, cluster, t.nowMs);
        await api.deleteCluster(namespace, cluster, options);
        await record({
          type: 'Normal',
          reason: 'SuccessfulDelete',
          message: `Deleted RayCluster ${cluster}`,
        });
      }
    } else if (action.kind === 'create') {
      for (let i = 0; i < action.count; i++) {
        const clusterName = rayClusterName(name, action.hash, suffix(t.rng));
        const body = rayClusterBody({
          namespace,
          name: clusterName,
          hash: action.hash,
          revision: action.revision,
          template: templateOf(action.hash),
          fleetLabels: t.fleet.metadata.labels ?? {},
          owner,
        });
        t.expectations.expectCreate(t.key, { name: clusterName, hash: action.hash, atMs: t.nowMs });
        try {
          await api.createCluster(body, options);
        } catch (err) {
          t.expectations.forgetCreate(t.key, clusterName);
          const message = `Error creating RayCluster ${clusterName}: ${toError(err).message}`;
          await record({ type: 'Warning', reason: 'FailedCreate', message });
          const at = new Date(t.nowMs).toISOString();
          return {
            type: 'ReplicaFailure',
            status: 'True',
            reason: 'FailedCreate',
            message,
            lastTransitionTime: at,
            lastUpdateTime: at,
          };
        }
        await record({
          type: 'Normal',
          reason: 'SuccessfulCreate',
          message: `Created RayCluster ${clusterName}`,
        });
      }
    } else if (action.kind === 'pruneRevisions') {
      for (const hash of action.hashes) {
        const r = templates.get(hash);
        if (r !== undefined) await api.deleteRevision(namespace, r.name, options);
      }
    } else if (action.kind === 'rollback') {
      const template = templates.get(action.hash)?.template;
      await api.patchFleet(
        namespace,
        name,
        { template, annotations: { [ROLLBACK_ANNOTATION]: null } },
        options,
      );
    } else if (action.kind === 'clearRollback') {
      await api.patchFleet(
        namespace,
        name,
        { annotations: { [ROLLBACK_ANNOTATION]: null } },
        options,
      );
    } else {
      await api.patchFleet(
        namespace,
        name,
        {
          annotations: {
            [FLEET_LABELS.desiredReplicas]: String(action.scale.desiredReplicas),
            [FLEET_LABELS.maxReplicas]: String(action.scale.maxReplicas),
          },
        },
        options,
      );
    }
  }
  return undefined;
}
