/**
 * The fleet room: the RayClusterFleet resource's types and its rollout planner (DESIGN.md §3;
 * docs/decisions.md "RayClusterFleet revisions"). The controller that applies plans lives in
 * src/leader (ray-cluster-fleet-controller.ts).
 *
 * Decision code: pure, no I/O (lint-enforced); adapters go in `adapters/` behind their own
 * entry. May import `shared`, `discovery` (resource shapes) and `controllers`.
 */
export * from './ray-cluster-fleet.js';
export {
  InvalidIntOrPercent,
  resolveFenceposts,
  scaledIntOrPercent,
  type Fenceposts,
} from './fenceposts.js';
export { canonicalJson, templateHash } from './template-hash.js';
export {
  deletionOrder,
  groupByRevision,
  isAvailable,
  pickForDeletion,
  type FleetCluster,
  type RevisionGroup,
} from './fleet-cluster.js';
export { FLEET_REASONS, findCondition } from './fleet-conditions.js';
export { formatLabelSelector } from './label-selector-text.js';
export { checkFleetSpec, selectorMatches } from './fleet-spec-check.js';
export {
  ROLLBACK_ANNOTATION,
  decideRollback,
  lastRevision,
  parseRollbackTo,
  type RollbackDecision,
} from './rollback-decision.js';
export {
  DEFAULT_PROGRESS_DEADLINE_SECONDS,
  DEFAULT_REVISION_HISTORY_LIMIT,
  planRollout,
} from './rollout-plan.js';
export type {
  FleetAction,
  FleetEvent,
  FleetPlan,
  FleetPlanInput,
  RevisionRecord,
  ScaleRecord,
} from './rollout-types.js';
export {
  FLEET_LABELS,
  type FleetCallOptions,
  type FleetClusterApi,
  type FleetObjectMeta,
  type FleetRevisionRecord,
  type OwnerReference,
  type RayClusterObject,
  type RayClusterStatus,
} from './fleet-cluster-api.js';
export { isRayClusterReady, toFleetCluster } from './ray-cluster-view.js';
export {
  HEAD_ENGINE_LABELS,
  rayClusterBody,
  rayClusterName,
  type RayClusterBodyInput,
} from './ray-cluster-body.js';
