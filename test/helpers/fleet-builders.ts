/**
 * Builders for the rollout planner's tests: fleet specs, clusters and a step-by-step rollout
 * simulator that applies plans the way the controller does (creates appear not ready, deletes
 * disappear) so tests can watch every step.
 */
import {
  planRollout,
  type FleetCluster,
  type FleetPlan,
  type RayClusterFleetSpec,
  type RayClusterFleetStatus,
  type RevisionRecord,
  type ScaleRecord,
} from '../../src/fleet/index.js';

/** A valid RayClusterFleetSpec with `replicas` and the overrides. */
export function aFleetSpec(
  replicas: number,
  overrides: Partial<RayClusterFleetSpec> = {},
): RayClusterFleetSpec {
  return {
    replicas,
    selector: { matchLabels: { app: 'llama' } },
    template: {
      metadata: { labels: { app: 'llama' } },
      spec: {
        headGroupSpec: {
          rayStartParams: {},
          template: { spec: { containers: [{ name: 'ray-head', image: 'vllm:1' }] } },
        },
        workerGroupSpecs: [
          {
            groupName: 'gpu',
            replicas: 1,
            template: { spec: { containers: [{ name: 'ray-worker', image: 'vllm:1' }] } },
          },
        ],
      },
    },
    ...overrides,
  };
}

/** A rolling-update strategy. */
export const rolling = (
  maxSurge?: number | string,
  maxUnavailable?: number | string,
): RayClusterFleetSpec['strategy'] => ({
  type: 'RollingUpdate',
  rollingUpdate: {
    ...(maxSurge === undefined ? {} : { maxSurge }),
    ...(maxUnavailable === undefined ? {} : { maxUnavailable }),
  },
});

/** A cluster of `hash`, ready since creation unless said otherwise. */
export function aCluster(
  name: string,
  hash: string,
  overrides: Partial<FleetCluster> = {},
): FleetCluster {
  const createdMs = overrides.createdMs ?? 0;
  const ready = overrides.ready ?? true;
  return {
    name,
    hash,
    createdMs,
    ready,
    ...(ready ? { readySinceMs: overrides.readySinceMs ?? createdMs } : {}),
    deletionCost: 0,
    deleting: false,
    ...overrides,
  };
}

/** `count` ready clusters of `hash` named `<prefix>-<i>`. */
export const clustersOf = (
  prefix: string,
  hash: string,
  count: number,
  createdMs = 0,
): FleetCluster[] =>
  Array.from({ length: count }, (_, i) => aCluster(`${prefix}-${i}`, hash, { createdMs }));

/** A fleet being rolled out, applied step by step as the controller would. */
export class FleetSimulation {
  spec: RayClusterFleetSpec;
  hash: string;
  clusters: FleetCluster[];
  revisions: RevisionRecord[];
  status: RayClusterFleetStatus | undefined;
  lastScale: ScaleRecord | undefined;
  generation = 1;
  nowMs = 1_000_000;
  rollbackTo: number | undefined;
  #serial = 0;

  constructor(
    spec: RayClusterFleetSpec,
    hash: string,
    clusters: FleetCluster[],
    revisions: RevisionRecord[],
  ) {
    this.spec = spec;
    this.hash = hash;
    this.clusters = clusters;
    this.revisions = revisions;
  }

  /** Plans and applies one step; returns the plan. */
  step(): FleetPlan {
    const plan = planRollout({
      spec: this.spec,
      generation: this.generation,
      ...(this.status === undefined ? {} : { status: this.status }),
      ...(this.lastScale === undefined ? {} : { lastScale: this.lastScale }),
      ...(this.rollbackTo === undefined ? {} : { rollbackTo: this.rollbackTo }),
      templateHash: this.hash,
      revisions: this.revisions,
      clusters: this.clusters,
      nowMs: this.nowMs,
    });
    for (const action of plan.actions) {
      if (action.kind === 'delete')
        this.clusters = this.clusters.filter((c) => !action.clusters.includes(c.name));
      else if (action.kind === 'create')
        for (let i = 0; i < action.count; i++)
          this.clusters.push(
            aCluster(`${action.hash}-n${this.#serial++}`, action.hash, {
              createdMs: this.nowMs,
              ready: false,
            }),
          );
      else if (action.kind === 'recordRevision')
        this.revisions = [...this.revisions.filter((r) => r.hash !== action.hash), action];
      else if (action.kind === 'pruneRevisions')
        this.revisions = this.revisions.filter((r) => !action.hashes.includes(r.hash));
      else if (action.kind === 'recordScale') this.lastScale = action.scale;
      else if (action.kind === 'rollback') {
        this.hash = action.hash;
        this.rollbackTo = undefined;
        this.generation++;
      } else this.rollbackTo = undefined;
    }
    this.status = plan.status;
    return plan;
  }

  /** Marks the named clusters (default: all) ready now. */
  makeReady(names?: readonly string[]): void {
    this.clusters = this.clusters.map((c) =>
      c.ready || (names !== undefined && !names.includes(c.name))
        ? c
        : { ...c, ready: true, readySinceMs: this.nowMs },
    );
  }

  /** Live clusters of `hash` (all hashes when undefined). */
  count(hash?: string): number {
    return this.clusters.filter((c) => !c.deleting && (hash === undefined || c.hash === hash))
      .length;
  }

  /** Ready clusters (minReadySeconds 0: available). */
  ready(hash?: string): number {
    return this.clusters.filter((c) => c.ready && (hash === undefined || c.hash === hash)).length;
  }
}
