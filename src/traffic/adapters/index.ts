/**
 * The traffic room's I/O adapters (Redis). Only composition roots (leader, bench, tests) import
 * this entry, so pure code that imports `traffic` never loads a Redis client.
 */
export { RedisRateLimitStore, type RedisRateLimitStoreOptions } from './redis-rate-limit-store.js';
export { createRateLimitStore, type RateLimitStoreKnobs } from './rate-limit-store-factory.js';
