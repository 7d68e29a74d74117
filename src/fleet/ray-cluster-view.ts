/**
 * How a KubeRay RayCluster reads to the planner: ready when KubeRay says `state: ready` or
 * both HeadPodReady and RayClusterProvisioned are True; ready since the `ready` state
 * transition, else the HeadPodReady transition, else KubeRay's lastUpdateTime; deletion cost
 * from `controller.kubernetes.io/pod-deletion-cost` (an int32, anything else counts as 0, as
 * Kubernetes reads it). Pure.
 */
import { FLEET_LABELS, type RayClusterObject } from './fleet-cluster-api.js';
import type { FleetCluster } from './fleet-cluster.js';

const INT32 = /^-?\d{1,10}$/;

function parseTime(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  return Number.isFinite(ms) ? ms : undefined;
}

/** True when KubeRay reports the cluster ready. */
export function isRayClusterReady(cluster: RayClusterObject): boolean {
  const status = cluster.status;
  if (status?.state === 'ready') return true;
  const isTrue = (type: string): boolean =>
    status?.conditions?.some((c) => c.type === type && c.status === 'True') ?? false;
  return isTrue('HeadPodReady') && isTrue('RayClusterProvisioned');
}

/** The planner's view of one RayCluster. */
export function toFleetCluster(cluster: RayClusterObject, nowMs: number): FleetCluster {
  const md = cluster.metadata;
  const ready = isRayClusterReady(cluster);
  const status = cluster.status;
  const headReady = status?.conditions?.find((c) => c.type === 'HeadPodReady');
  const readySinceMs = ready
    ? (parseTime(status?.stateTransitionTimes?.ready) ??
      parseTime(headReady?.lastTransitionTime) ??
      parseTime(status?.lastUpdateTime) ??
      parseTime(md.creationTimestamp))
    : undefined;
  const cost = md.annotations?.[FLEET_LABELS.deletionCost];
  const deletionCost = cost !== undefined && INT32.test(cost.trim()) ? clampInt32(Number(cost)) : 0;
  return {
    name: md.name,
    hash: md.labels?.[FLEET_LABELS.templateHash] ?? '',
    createdMs: parseTime(md.creationTimestamp) ?? nowMs,
    ready,
    ...(readySinceMs === undefined ? {} : { readySinceMs }),
    deletionCost,
    deleting: md.deletionTimestamp !== undefined,
  };
}

const clampInt32 = (n: number): number => Math.max(-2147483648, Math.min(2147483647, n));
