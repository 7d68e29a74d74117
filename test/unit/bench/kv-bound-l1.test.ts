import { describe, expect, it } from 'vitest';
import { BoundedKnownBlocks } from '../../../src/bench/kv-bound-l1.js';

describe('BoundedKnownBlocks', () => {
  it('keeps at most its capacity under LRU, and a read keeps a block', () => {
    const tier = new BoundedKnownBlocks({ blocks: 3, policy: 'lru' });
    tier.add([1, 2, 3]);
    expect(tier.overflowed).toBe(false);
    tier.read([1, 2, 3], 0, 1);
    tier.add([4]);
    expect(tier.size).toBe(3);
    expect([1, 2, 3, 4].map((h) => tier.has(h))).toEqual([true, false, true, true]);
    expect(tier.evicted).toBe(1);
    expect(tier.overflowed).toBe(true);
  });

  it('adds only the first `count` blocks and reads only [from, to)', () => {
    const tier = new BoundedKnownBlocks({ blocks: 2, policy: 'lru' });
    tier.add([1, 2, 3], 2);
    expect([tier.has(1), tier.has(2), tier.has(3)]).toEqual([true, true, false]);
    tier.read([1, 2], 0, 1);
    tier.add([5]);
    expect([tier.has(1), tier.has(2)]).toEqual([true, false]);
  });

  it('under S3-FIFO, a block read once outlives a burst of one-off blocks', () => {
    const tier = new BoundedKnownBlocks({ blocks: 10, policy: 's3fifo' });
    tier.add([100]);
    tier.read([100], 0, 1);
    tier.add(Array.from({ length: 30 }, (_, i) => i + 1));
    expect(tier.has(100)).toBe(true);
    expect(tier.size).toBeLessThanOrEqual(10);
  });
});
