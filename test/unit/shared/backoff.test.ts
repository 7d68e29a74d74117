import { describe, expect, it } from 'vitest';
import { DEFAULT_BACKOFF, SeededRng, backoffDelayMs } from '../../../src/shared/index.js';

describe('backoffDelayMs', () => {
  it('grows geometrically, stays within [cap/2, cap] and is capped', () => {
    const rng = new SeededRng(1);
    for (let attempt = 0; attempt < 10; attempt++) {
      const cap = Math.min(30_000, 1000 * 2 ** attempt);
      for (let i = 0; i < 50; i++) {
        const d = backoffDelayMs(DEFAULT_BACKOFF, attempt, rng);
        expect(d).toBeGreaterThanOrEqual(cap / 2);
        expect(d).toBeLessThanOrEqual(cap);
      }
    }
  });

  it('is deterministic under a seed', () => {
    const a = new SeededRng(42);
    const b = new SeededRng(42);
    expect([1, 2, 3].map((n) => backoffDelayMs(DEFAULT_BACKOFF, n, a))).toEqual(
      [1, 2, 3].map((n) => backoffDelayMs(DEFAULT_BACKOFF, n, b)),
    );
  });
});
