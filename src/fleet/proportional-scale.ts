/**
 * Scaling a fleet that may be mid-rollout (Kubernetes' sync.go `scale`): with one live revision
 * it takes the whole size; when the new revision is saturated the old ones go; otherwise the
 * change is spread over the revisions in proportion to their sizes (getProportion), so a
 * rollout paused or caught by a resize keeps its old:new ratio. Pure.
 */
import type { Fenceposts } from './fenceposts.js';
import type { RevisionGroup } from './fleet-cluster.js';
import type { RolloutWork } from './rollout-work.js';

/** The inputs that are not in the work: the strategy and the size scaled for last time. */
export interface ScaleContext {
  readonly rolling: boolean;
  readonly posts: Fenceposts;
  /** replicas + maxSurge when last scaled (Deployment's max-replicas annotation). */
  readonly lastMaxReplicas: number | undefined;
  /** The fleet's status.replicas now: the fallback base, as Kubernetes uses it. */
  readonly statusReplicas: number;
  /** The hash to grow when no revision has clusters. */
  readonly emptyTarget: string;
}

/** Plans the scaling into `work`; true when anything changes. */
export function scaleFleet(work: RolloutWork, ctx: ScaleContext): boolean {
  const { groups } = work;
  if (groups.length === 0) return work.scaleTo(ctx.emptyTarget, work.replicas);
  const [only] = groups;
  if (groups.length === 1 && only !== undefined) return work.scaleTo(only.hash, work.replicas);

  const newGroup = work.newGroup;
  if (newGroup?.clusters.length === work.replicas && newGroup.available === work.replicas) {
    let changed = false;
    for (const g of work.oldGroups) if (work.scaleTo(g.hash, 0)) changed = true;
    return changed;
  }
  if (!ctx.rolling) return false;

  const allowed = work.replicas > 0 ? work.replicas + ctx.posts.maxSurge : 0;
  const current = groups.reduce((n, g) => n + g.clusters.length, 0);
  const toAdd = allowed - current;
  if (toAdd === 0) return false;

  // Growing favours the larger then newer revisions; shrinking the larger then older ones.
  const ordered = [...groups].sort((a, b) =>
    b.clusters.length !== a.clusters.length
      ? b.clusters.length - a.clusters.length
      : toAdd > 0
        ? b.createdMs - a.createdMs
        : a.createdMs - b.createdMs,
  );
  const sizes = new Map<string, number>();
  let added = 0;
  for (const g of ordered) {
    let share = proportion(g, work.replicas, allowed, toAdd, added, ctx);
    // An old revision with no history record cannot be recreated: it may only shrink.
    if (share > 0 && !work.hasTemplate(g.hash)) share = 0;
    sizes.set(g.hash, g.clusters.length + share);
    added += share;
  }
  const first = ordered.find((g) => toAdd < 0 || work.hasTemplate(g.hash)) ?? ordered[0];
  if (first !== undefined)
    sizes.set(first.hash, Math.max(0, (sizes.get(first.hash) ?? 0) + toAdd - added));

  let changed = false;
  for (const [hash, size] of sizes) if (work.scaleTo(hash, Math.max(0, size))) changed = true;
  return changed;
}

/** getProportion: the share of `toAdd` for one revision, bounded by what is left to add. */
function proportion(
  group: RevisionGroup,
  replicas: number,
  allowed: number,
  toAdd: number,
  added: number,
  ctx: ScaleContext,
): number {
  const size = group.clusters.length;
  if (size === 0 || toAdd === 0 || toAdd === added) return 0;
  const fraction = fractionOf(size, replicas, allowed, ctx);
  const left = toAdd - added;
  return toAdd > 0 ? Math.min(fraction, left) : Math.max(fraction, left);
}

/** getReplicaSetFraction: how much a revision of `size` should change to keep its share. */
function fractionOf(size: number, replicas: number, allowed: number, ctx: ScaleContext): number {
  if (replicas === 0) return -size;
  const base = ctx.lastMaxReplicas ?? ctx.statusReplicas;
  if (base <= 0) return 0;
  return roundHalfAway((size * allowed) / base) - size;
}

/** Go's math.Round (halves away from zero); sizes are never negative here. */
const roundHalfAway = (x: number): number => Math.sign(x) * Math.round(Math.abs(x));
