export * from './types.js';
export * from './routing-config.js';
export * from './routing-config-spec.js';
export * from './routing-state.js';
export * from './no-endpoint-error.js';
export * from './registry.js';
export * from './pick.js';
export * from './traffic-policy.js';
export * from './traffic-config.js';
export * from './rate-limit-resources.js';
export { admissionErrorBody } from './admission-errors.js';
export {
  MemoryRateLimitStore,
  DEFAULT_MEMORY_MAX_KEYS,
  type RateLimitStore,
} from './rate-limit-store.js';
export type { GcraCharge, ReserveOutcome } from './gcra.js';
export { ApiKeyTable, apiKeyDigest, bearerToken, type ApiKeyEntry } from './api-keys.js';
export {
  RedisRateLimitStore,
  type RedisRateLimitStoreOptions,
} from './adapters/redis-rate-limit-store.js';
export {
  createRateLimitStore,
  type RateLimitStoreKnobs,
} from './adapters/rate-limit-store-factory.js';
