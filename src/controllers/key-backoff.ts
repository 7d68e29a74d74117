/**
 * Per-key retry delays of the reconcile host, after client-go's per-item exponential rate
 * limiter: each failure of a key doubles its delay up to a cap, with jitter so keys that failed
 * together do not retry together; a success (or a terminal error) forgets the key. Bounded: past
 * `maxKeys` tracked keys the oldest is forgotten (it restarts from the first delay).
 */
import { backoffDelayMs, type BackoffPolicy, type Rng } from '../shared/index.js';

export class KeyBackoff {
  readonly #policy: BackoffPolicy;
  readonly #rng: Rng;
  readonly #maxKeys: number;
  /** Consecutive failures per key; Map order is the order keys started failing. */
  readonly #failures = new Map<string, number>();

  constructor(policy: BackoffPolicy, rng: Rng, maxKeys: number) {
    this.#policy = policy;
    this.#rng = rng;
    this.#maxKeys = maxKeys;
  }

  /** Consecutive failures recorded for the key. */
  failures(key: string): number {
    return this.#failures.get(key) ?? 0;
  }

  /** Records one more failure and returns the delay before the retry, ms. */
  nextDelayMs(key: string): number {
    const attempt = this.failures(key);
    if (attempt === 0 && this.#failures.size >= this.#maxKeys) {
      const oldest = this.#failures.keys().next();
      if (oldest.done !== true) this.#failures.delete(oldest.value);
    }
    this.#failures.set(key, attempt + 1);
    return backoffDelayMs(this.#policy, attempt, this.#rng);
  }

  /** Forgets the key's failures (after a success or a terminal error). */
  reset(key: string): void {
    this.#failures.delete(key);
  }
}
