/**
 * The RayClusterFleet rollout planner (Kubernetes' Deployment sync loop, on RayClusters grouped
 * by template hash instead of ReplicaSets; docs/decisions.md): from the fleet, its history
 * records and the clusters it owns, the creates and deletes of this step, the history to write,
 * the new status and when to look again. A bad spec plans nothing (never a fleet scaled to zero
 * by accident) and says why in ReplicaFailure. Pure: same input, same plan.
 */
import { resolveFenceposts, type Fenceposts } from './fenceposts.js';
import {
  condition,
  findCondition,
  FLEET_REASONS as R,
  removeCondition,
  setCondition,
} from './fleet-conditions.js';
import { checkFleetSpec } from './fleet-spec-check.js';
import { formatLabelSelector } from './label-selector-text.js';
import { scaleFleet } from './proportional-scale.js';
import type { FleetCondition, RayClusterFleetStatus } from './ray-cluster-fleet.js';
import { recreateStep } from './recreate.js';
import { decideRollback } from './rollback-decision.js';
import { reconcileNewRevision, reconcileOldRevisions } from './rolling-update.js';
import {
  availabilityRequeue,
  calculateStatus,
  isComplete,
  syncRolloutStatus,
} from './rollout-status.js';
import type { FleetAction, FleetEvent, FleetPlan, FleetPlanInput } from './rollout-types.js';
import { RolloutWork } from './rollout-work.js';

/** Default spec.progressDeadlineSeconds (Deployment's). */
export const DEFAULT_PROGRESS_DEADLINE_SECONDS = 600;
/** Default spec.revisionHistoryLimit. */
export const DEFAULT_REVISION_HISTORY_LIMIT = 10;

/** Plans one reconcile of a fleet. */
export function planRollout(input: FleetPlanInput): FleetPlan {
  const { spec, generation, nowMs } = input;
  const work = new RolloutWork(input);
  const selector = formatLabelSelector(spec.selector);
  const collisionCount = input.collisionCount ?? input.status?.collisionCount ?? 0;
  const problems = [...checkFleetSpec(spec), ...(input.specProblems ?? [])];
  const previous = input.status;
  const events: FleetEvent[] = [];

  if (problems.length > 0) {
    const message = problems.join('; ');
    const base = calculateStatus(work, previous, generation, 0, selector, collisionCount);
    const before = findCondition(previous?.conditions ?? [], 'ReplicaFailure');
    if (before?.reason !== R.invalidSpec || before.message !== message)
      events.push({ type: 'Warning', reason: R.invalidSpec, message });
    const failure = { ...condition('ReplicaFailure', 'True', R.invalidSpec, message, nowMs) };
    const conditions = [...removeCondition(base.conditions ?? [], 'ReplicaFailure'), failure];
    return { actions: [], events, status: { ...base, conditions } };
  }

  const rolling = spec.strategy?.type !== 'Recreate';
  const posts: Fenceposts = rolling
    ? resolveFenceposts(
        spec.strategy?.rollingUpdate?.maxSurge,
        spec.strategy?.rollingUpdate?.maxUnavailable,
        work.replicas,
      )
    : { maxSurge: 0, maxUnavailable: 0 };
  const maxUnavailable =
    rolling && work.replicas > 0 ? Math.min(posts.maxUnavailable, work.replicas) : 0;
  const paused = spec.paused === true;
  const actions: FleetAction[] = [];
  let conditions = removeCondition(previous?.conditions ?? [], 'ReplicaFailure');
  conditions = pausedConditions(conditions, paused, nowMs);
  const withConditions = (s: RayClusterFleetStatus | undefined): RayClusterFleetStatus => ({
    ...s,
    conditions,
  });
  const status = (): RayClusterFleetStatus =>
    calculateStatus(
      work,
      withConditions(previous),
      generation,
      maxUnavailable,
      selector,
      collisionCount,
    );
  const scale = { desiredReplicas: work.replicas, maxReplicas: work.replicas + posts.maxSurge };
  const recordScale = (): void => {
    const last = input.lastScale;
    if (last?.desiredReplicas !== scale.desiredReplicas || last.maxReplicas !== scale.maxReplicas)
      actions.push({ kind: 'recordScale', scale });
  };

  if (!paused && input.rollbackTo !== undefined) {
    const decision = decideRollback(input.rollbackTo, input.revisions, work.newHash);
    return { actions: [decision.action], events: [decision.event], status: status() };
  }

  const maxOther = Math.max(
    0,
    ...input.revisions.filter((r) => r.hash !== work.newHash).map((r) => r.revision),
  );
  const syncRevision = (): void => {
    const own = work.revisionOf(work.newHash);
    if (own > maxOther) return;
    work.setRevision(work.newHash, maxOther + 1);
    actions.push({ kind: 'recordRevision', hash: work.newHash, revision: maxOther + 1 });
    if (own === 0)
      events.push({
        type: 'Normal',
        reason: R.newReplicaSetCreated,
        message: `Created revision ${maxOther + 1} (template ${work.newHash}).`,
      });
  };
  const scalingEvent =
    input.lastScale !== undefined && input.lastScale.desiredReplicas !== work.replicas;

  if (paused || scalingEvent) {
    // Scale only (Deployment's sync): no new revision is started while paused.
    const known = work.revisionOf(work.newHash) > 0 || work.newGroup !== undefined;
    const latest = [...input.revisions].sort((a, b) => b.revision - a.revision)[0];
    const emptyTarget = paused && !known && latest !== undefined ? latest.hash : work.newHash;
    if (!paused || known) syncRevision();
    scaleFleet(work, {
      rolling,
      posts,
      lastMaxReplicas: input.lastScale?.maxReplicas,
      statusReplicas: previous?.replicas ?? 0,
      emptyTarget,
    });
    if (emptyTarget === work.newHash && work.size(work.newHash) > 0) syncRevision();
    if (paused) actions.push(...prune(input, work));
    recordScale();
    const s = status();
    return finish(work, [...actions, ...work.actions()], events, s, undefined);
  }

  const isNew = work.revisionOf(work.newHash) === 0;
  syncRevision();
  if (isNew)
    conditions = setCondition(
      conditions,
      condition(
        'Progressing',
        'True',
        R.newReplicaSetCreated,
        `Created revision ${work.revisionOf(work.newHash)} (template ${work.newHash}).`,
        nowMs,
      ),
    );
  else if (findCondition(conditions, 'Progressing') === undefined)
    conditions = setCondition(
      conditions,
      condition(
        'Progressing',
        'True',
        R.foundNewReplicaSet,
        `Found revision ${work.revisionOf(work.newHash)}.`,
        nowMs,
      ),
    );

  let steady: boolean;
  if (rolling) steady = !reconcileNewRevision(work, posts) && !reconcileOldRevisions(work, posts);
  else steady = recreateStep(work, input.clusters) === 'steady';
  const calculated = status();
  if (steady && isComplete(work, calculated, generation)) actions.push(...prune(input, work));
  recordScale();
  const deadline = spec.progressDeadlineSeconds ?? DEFAULT_PROGRESS_DEADLINE_SECONDS;
  const verdict = syncRolloutStatus(work, previous, calculated, generation, deadline);
  if (
    verdict.timedOut &&
    findCondition(previous?.conditions ?? [], 'Progressing')?.reason !== R.progressDeadlineExceeded
  )
    events.push({
      type: 'Warning',
      reason: R.progressDeadlineExceeded,
      message: `Fleet has not progressed for ${deadline}s.`,
    });
  return finish(
    work,
    [...actions, ...work.actions()],
    events,
    verdict.status,
    verdict.requeueAfterMs,
  );
}

function finish(
  work: RolloutWork,
  actions: FleetAction[],
  events: FleetEvent[],
  status: RayClusterFleetStatus,
  deadlineRequeueMs: number | undefined,
): FleetPlan {
  const candidates = [deadlineRequeueMs, availabilityRequeue(work)].filter(
    (n): n is number => n !== undefined,
  );
  const requeueAfterMs = candidates.length > 0 ? Math.min(...candidates) : undefined;
  return { actions, events, status, ...(requeueAfterMs === undefined ? {} : { requeueAfterMs }) };
}

/** checkPausedConditions: Progressing Unknown while paused, and once more when resumed. */
function pausedConditions(
  conditions: FleetCondition[],
  paused: boolean,
  nowMs: number,
): FleetCondition[] {
  const current = findCondition(conditions, 'Progressing');
  if (current?.reason === R.progressDeadlineExceeded) return conditions;
  const pausedNow = current?.reason === R.paused;
  if (paused && !pausedNow)
    return setCondition(
      conditions,
      condition('Progressing', 'Unknown', R.paused, 'Fleet is paused.', nowMs),
    );
  if (!paused && pausedNow)
    return setCondition(
      conditions,
      condition('Progressing', 'Unknown', R.resumed, 'Fleet is resumed.', nowMs),
    );
  return conditions;
}

/** cleanupDeployment: history records with no cluster left, beyond the limit, oldest first. */
function prune(input: FleetPlanInput, work: RolloutWork): FleetAction[] {
  const limit = input.spec.revisionHistoryLimit ?? DEFAULT_REVISION_HISTORY_LIMIT;
  const inUse = new Set(input.clusters.map((c) => c.hash));
  const idle = input.revisions
    .filter((r) => r.hash !== work.newHash && !inUse.has(r.hash) && work.size(r.hash) === 0)
    .sort((a, b) => a.revision - b.revision);
  const excess = idle.length - limit;
  if (excess <= 0) return [];
  return [{ kind: 'pruneRevisions', hashes: idle.slice(0, excess).map((r) => r.hash) }];
}
