export * from './endpoint-catalog.js';
export { GatewayMetrics } from './gateway-metrics.js';
export { GatewayServer, type GatewayServerOptions } from './gateway-server.js';
export { HealthProber } from './health-prober.js';
export { InFlightTracker } from './in-flight.js';
export { PassiveHealth, type PassiveHealthPolicy } from './passive-health.js';
export type { InferenceDeps } from './handle-inference.js';
export type { UpstreamTimeouts } from './upstream.js';
export { openAiError } from './openai-error.js';
