/**
 * The vLLM v0.10–v0.11 compatible engine simulator (DESIGN.md §6): HTTP surface, continuous
 * batching core with prefix caching, preemption and LoRA slots, analytic step times, faults.
 */
export { startSimServer, type SimServer } from './sim-server.js';
export {
  SIM_DEFAULTS,
  SIM_MAX_WAITING_REQUESTS,
  SIM_WEIGHTS_IO_TIMEOUT_MS,
  type SimServerOptions,
} from './sim-options.js';
export {
  LOAD_FORMATS,
  RUNAI_FS_DEFAULTS,
  RUNAI_OBJECT_STORE_DEFAULTS,
  planWeightLoad,
  type LoadFormat,
  type WeightLoadPlan,
} from './weight-load-plan.js';
export type { WeightLoadReport } from './weight-loader.js';
export { NO_FAULTS, type SimFaults } from './faults.js';
export { simCommand, createSimCommand, type SimCommandDeps } from './sim-command.js';
export type { KvBlockStore, KvStoreCallOptions } from './kv-connector.js';
export {
  INFERNODE_CONNECTOR,
  KV_ROLES,
  DEFAULT_KV_BYTES_FRACTION,
  DEFAULT_KV_LINK_BYTES_PER_S,
  parseKvTransferConfig,
  type KvRole,
  type KvTransferConfig,
} from './kv-transfer-config.js';
export {
  decideFetch,
  transferTimeS,
  blockPayload,
  isBlockPayload,
  type FetchDecision,
} from './kv-transfer-model.js';
export { insertFetchedPrefix, leadingCachedBlocks } from './fetched-prefix.js';
export {
  enterLandedPrefixes,
  LANDED_RELEASES_PER_STEP,
  LANDED_SCAN,
  type LandedPrefixes,
} from './landed-prefix-entry.js';
export type { BlockPool } from './block-pool.js';
export { EngineCore } from './engine-core.js';
export type {
  CoreConfig,
  CoreRequest,
  CoreRequestSpec,
  FinishReason,
  StepResult,
} from './core-types.js';
export {
  DEFAULT_PROFILE,
  HARDWARE_PROFILES,
  stepTimeS,
  type HardwareProfile,
  type StepShape,
} from './profiles.js';
export { SIM_VLLM_VERSION } from './control-routes.js';
