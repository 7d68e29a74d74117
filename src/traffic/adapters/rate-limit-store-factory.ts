import type { Redis } from 'ioredis';
import { AppError } from '../../shared/index.js';
import { MemoryRateLimitStore, type RateLimitStore } from '../rate-limit-store.js';
import { RedisRateLimitStore } from './redis-rate-limit-store.js';

/** The `trafficConfigSpec` knobs that choose and size the store. */
export interface RateLimitStoreKnobs {
  readonly store: string;
  readonly memoryMaxKeys: number;
  readonly redisKeyPrefix: string;
  readonly redisCommandTimeoutMs: number;
}

/**
 * The rate-limit store the config names: `memory` (one gateway replica; LRU of `memoryMaxKeys`)
 * or `redis` (shared by replicas) on the client the composition root built from `redisUrl`.
 * Throws AppError CONFIG_INVALID when `redis` is chosen without a client.
 */
export function createRateLimitStore(
  knobs: RateLimitStoreKnobs,
  deps: { readonly redis?: Redis } = {},
): RateLimitStore {
  if (knobs.store !== 'redis') return new MemoryRateLimitStore({ maxKeys: knobs.memoryMaxKeys });
  if (deps.redis === undefined)
    throw new AppError('CONFIG_INVALID', 'traffic store is redis but no Redis client was given');
  return new RedisRateLimitStore({
    redis: deps.redis,
    keyPrefix: knobs.redisKeyPrefix,
    commandTimeoutMs: knobs.redisCommandTimeoutMs,
  });
}
