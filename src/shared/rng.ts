/** Randomness as a port, so decisions are deterministic under a seed. */
export interface Rng {
  /** A float in [0, 1). */
  next(): number;
}

/** An integer in [0, n). */
export function randomInt(rng: Rng, n: number): number {
  return Math.floor(rng.next() * n);
}

/**
 * mulberry32: a tiny, fast, well-distributed 32-bit PRNG. Good enough for tie-breaks and jitter;
 * not for secrets.
 */
export class SeededRng implements Rng {
  #state: number;

  constructor(seed: number) {
    this.#state = seed >>> 0;
  }

  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
}

/** Math.random behind the port. */
export const systemRng: Rng = { next: () => Math.random() };
