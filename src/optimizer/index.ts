/**
 * The heterogeneous GPU optimizer (issue #16, AIBrix §9): GPU profiles and their validation, the
 * gateway's request log, load clustering, the Mélange ILP with a greedy fallback, and the
 * `vllm:deployment_replicas` exposition. Pure; HiGHS and profile files are in adapters/.
 */
export {
  GPU_PROFILE_FORMAT,
  profileMaxRps,
  type GpuProfile,
  type ProfileSlo,
} from './gpu-profile.js';
export { MAX_PROFILE_BUCKETS, validateGpuProfile } from './profile-validation.js';
export { DEFAULT_REQUEST_LOG_CAPACITY, RequestLog, type LoggedRequest } from './request-log.js';
export { clusterLoad, type LengthPoint, type WorkloadSlice } from './load-clustering.js';
export {
  costOf,
  type Allocation,
  type AllocationProblem,
  type ReplicaOption,
  type SliceAssignment,
  type UnservableSlice,
} from './allocation.js';
export { greedyAllocation, replicasFor } from './greedy-allocation.js';
export { buildLpModel, type LpModel } from './lp-model.js';
export { solveAllocation, type LpSolution, type LpSolver } from './solve-allocation.js';
export {
  DEFAULT_MIN_REPLICAS,
  deploymentKey,
  parseOptimizerDeployment,
  parseOptimizerDeployments,
  type OptimizerDeployment,
} from './optimizer-deployment.js';
export {
  findProfile,
  recommendReplicas,
  type DeploymentRecommendation,
  type ModelRound,
  type OptimizerRound,
  type RoundInput,
} from './recommend-replicas.js';
export { DEPLOYMENT_REPLICAS_METRIC, renderDeploymentReplicas } from './replicas-exposition.js';
