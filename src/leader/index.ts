export { leaderCommand } from './leader-command.js';
export { leaderConfigSpec } from './leader-config.js';
export { ClusterStateStore, type EndpointState, type NodeState } from './cluster-state.js';
export { AgentHub } from './agent-hub.js';
export { runLeader } from './main.js';
export { buildAdapters } from './build-adapters.js';
export type { LeaderAdapters, LeaderConfig } from './leader-adapters.js';
export {
  ExpectedModelsState,
  type ExpectedModel,
  type ExpectedModelsStateOptions,
} from './expected-models-state.js';
export { ScaleFromZero, type ScaleFromZeroOptions } from './scale-from-zero.js';
export {
  buildRequestHold,
  scaleGroupTarget,
  type RequestHoldWiring,
} from './request-hold-wiring.js';
