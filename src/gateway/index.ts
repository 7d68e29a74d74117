export * from './endpoint-catalog.js';
export { GatewayMetrics } from './gateway-metrics.js';
export { GatewayServer, type GatewayServerOptions } from './gateway-server.js';
export { BodyBudget, type BodyLease } from './body-budget.js';
export { DEFAULT_INTAKE_LIMITS, type IntakeLimits } from './intake-limits.js';
export { HealthProber } from './health-prober.js';
export { InFlightTracker } from './in-flight.js';
export { PassiveHealth, type PassiveHealthPolicy } from './passive-health.js';
export type { InferenceDeps } from './inference-deps.js';
export type { UpstreamTimeouts } from './upstream.js';
export { UpstreamPools, type UpstreamPoolOptions } from './upstream-pools.js';
export { openAiError } from './openai-error.js';
export { ApiSupport, isUnsupportedAnswer } from './api-support.js';
export type { ExpectedModels } from './expected-models.js';
export {
  RequestHold,
  type HoldOutcome,
  type RequestHoldOptions,
  type RequestHoldSettings,
} from './request-hold.js';
