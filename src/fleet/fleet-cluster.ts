/**
 * The planner's view of one RayCluster a fleet owns, the revision groups they form (one per
 * template hash — what a ReplicaSet is to a Deployment) and the order clusters are deleted in
 * when a group shrinks. Pure.
 */

/** One owned RayCluster as the planner sees it. */
export interface FleetCluster {
  readonly name: string;
  /** Its template-hash label. */
  readonly hash: string;
  readonly createdMs: number;
  /** KubeRay reports it ready (status.state ready). */
  readonly ready: boolean;
  /** When it became ready (ms); undefined when unknown or not ready. */
  readonly readySinceMs?: number;
  /** `controller.kubernetes.io/pod-deletion-cost`; 0 when absent. */
  readonly deletionCost: number;
  /** Has a deletionTimestamp: on its way out, counted nowhere but still holding GPUs. */
  readonly deleting: boolean;
}

/** The live clusters of one template hash. */
export interface RevisionGroup {
  readonly hash: string;
  /** 0 when no history record names the hash. */
  readonly revision: number;
  readonly clusters: readonly FleetCluster[];
  readonly ready: number;
  readonly available: number;
  /** Oldest cluster's creation (ms); groups sort on it like ReplicaSets on creation. */
  readonly createdMs: number;
}

/** Ready for at least `minReadySeconds` (Kubernetes' IsPodAvailable). */
export function isAvailable(
  cluster: FleetCluster,
  minReadySeconds: number,
  nowMs: number,
): boolean {
  if (!cluster.ready) return false;
  if (minReadySeconds <= 0) return true;
  return (
    cluster.readySinceMs !== undefined && cluster.readySinceMs + minReadySeconds * 1000 <= nowMs
  );
}

/**
 * The live (not deleting) clusters grouped by hash, oldest group first. `revisions` maps a hash
 * to its revision number.
 */
export function groupByRevision(
  clusters: readonly FleetCluster[],
  revisions: ReadonlyMap<string, number>,
  minReadySeconds: number,
  nowMs: number,
): RevisionGroup[] {
  const byHash = new Map<string, FleetCluster[]>();
  for (const c of clusters) {
    if (c.deleting) continue;
    const list = byHash.get(c.hash) ?? [];
    list.push(c);
    byHash.set(c.hash, list);
  }
  return [...byHash.entries()]
    .map(([hash, list]) => ({
      hash,
      revision: revisions.get(hash) ?? 0,
      clusters: list,
      ready: list.filter((c) => c.ready).length,
      available: list.filter((c) => isAvailable(c, minReadySeconds, nowMs)).length,
      createdMs: Math.min(...list.map((c) => c.createdMs)),
    }))
    .sort((a, b) => a.createdMs - b.createdMs || a.revision - b.revision || cmp(a.hash, b.hash));
}

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Deletion order (the ReplicaSet controller's ActivePods ranking, cut to what a RayCluster
 * has): not ready first, then lower deletion cost, then the more recently ready, then the
 * newest, then by name so the order is total.
 */
export function deletionOrder(a: FleetCluster, b: FleetCluster): number {
  if (a.ready !== b.ready) return a.ready ? 1 : -1;
  if (a.deletionCost !== b.deletionCost) return a.deletionCost - b.deletionCost;
  const readyA = a.readySinceMs ?? Number.POSITIVE_INFINITY;
  const readyB = b.readySinceMs ?? Number.POSITIVE_INFINITY;
  if (a.ready && readyA !== readyB) return readyB - readyA;
  if (a.createdMs !== b.createdMs) return b.createdMs - a.createdMs;
  return cmp(a.name, b.name);
}

/** The first `count` clusters of `clusters` in deletion order. */
export function pickForDeletion(clusters: readonly FleetCluster[], count: number): FleetCluster[] {
  if (count <= 0) return [];
  return [...clusters].sort(deletionOrder).slice(0, count);
}

/** Not yet available clusters first (cleanupUnhealthyReplicas picks from these). */
export function pickUnavailable(
  clusters: readonly FleetCluster[],
  count: number,
  minReadySeconds: number,
  nowMs: number,
): FleetCluster[] {
  const unavailable = clusters.filter((c) => !isAvailable(c, minReadySeconds, nowMs));
  return pickForDeletion(unavailable, count);
}
