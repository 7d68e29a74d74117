import { LRUCache } from 'lru-cache';
import { gcraAdjust, gcraReserve, type GcraCharge, type ReserveOutcome } from './gcra.js';

/**
 * Where rate-limit state lives: in this process ({@link MemoryRateLimitStore}) or shared by
 * several gateway replicas (`RedisRateLimitStore`). Both run GCRA (gcra.ts) atomically per call.
 */
export interface RateLimitStore {
  /**
   * Charges every limit, or none when one does not fit (all or nothing). Rejects when the store
   * fails or `signal` aborts.
   */
  reserve(
    charges: readonly GcraCharge[],
    nowMs: number,
    opts: { readonly signal: AbortSignal },
  ): Promise<ReserveOutcome>;
  /** Moves one key by `delta` units (negative = refund); see gcraAdjust. Rejects on store failure. */
  adjust(key: string, emissionIntervalMs: number, delta: number, nowMs: number): Promise<void>;
}

/** Keys an in-memory store keeps by default (LRU). */
export const DEFAULT_MEMORY_MAX_KEYS = 100_000;

/**
 * In-process GCRA state: key → TAT in an LRU of `maxKeys` (default 100 000). A key whose TAT is
 * past is equivalent to an absent one, so LRU eviction only ever forgets idle keys unless more
 * than `maxKeys` users are active at once — then the least recently seen one gets a fresh budget.
 * One gateway replica only: with several, use the Redis store.
 */
export class MemoryRateLimitStore implements RateLimitStore {
  readonly #tats: LRUCache<string, number>;

  constructor(options: { readonly maxKeys?: number } = {}) {
    this.#tats = new LRUCache({ max: options.maxKeys ?? DEFAULT_MEMORY_MAX_KEYS });
  }

  reserve(
    charges: readonly GcraCharge[],
    nowMs: number,
    opts: { readonly signal: AbortSignal },
  ): Promise<ReserveOutcome> {
    if (opts.signal.aborted) return Promise.reject(opts.signal.reason as Error);
    const tats = charges.map((c) => this.#tats.get(c.key));
    const { outcome, newTats } = gcraReserve(tats, charges, nowMs);
    if (outcome.ok) charges.forEach((c, i) => this.#tats.set(c.key, newTats[i] ?? nowMs));
    return Promise.resolve(outcome);
  }

  adjust(key: string, emissionIntervalMs: number, delta: number, nowMs: number): Promise<void> {
    const next = gcraAdjust(this.#tats.get(key), emissionIntervalMs, delta, nowMs);
    if (next !== undefined) this.#tats.set(key, next);
    return Promise.resolve();
  }

  /** Keys held (for tests). */
  get size(): number {
    return this.#tats.size;
  }
}
