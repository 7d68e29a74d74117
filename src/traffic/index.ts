/**
 * The traffic room: admission before routing — API keys, per-user and per-model rate limits
 * (GCRA over a memory or Redis store), the RateLimitPolicy resources laid over the config, and
 * the policy that combines them. The gateway asks `TrafficPolicy.admit` and settles the ticket.
 *
 * Decision code is pure (lint-enforced); the Redis store and the store factory are adapters,
 * exported from `./adapters/index.ts` for composition roots only. May import `shared` and
 * `kvcache` (bounded key hashing); nothing here knows about engines or routing.
 */
export * from './admission.js';
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
export * from './api-keys-document.js';
