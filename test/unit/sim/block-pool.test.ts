import { describe, expect, it } from 'vitest';
import { BlockPool } from '../../../src/sim/block-pool.js';

describe('BlockPool', () => {
  it('counts used blocks and reports usage 0–1', () => {
    const pool = new BlockPool(4);
    const a = pool.allocate();
    const b = pool.allocate();
    expect(pool.numUsed).toBe(2);
    expect(pool.usageRatio).toBe(0.5);
    pool.releaseAll([a, b]);
    expect(pool.numUsed).toBe(0);
    expect(pool.numFree).toBe(4);
  });

  it('keeps a released block reusable by hash until it is evicted, least recently freed first', () => {
    const pool = new BlockPool(2);
    const a = pool.allocate();
    const b = pool.allocate();
    pool.cache(a, 111);
    pool.cache(b, 222);
    pool.releaseAll([a]);
    pool.releaseAll([b]);
    expect(pool.lookup(111)).toBe(a);
    expect(pool.lookup(222)).toBe(b);
    // The next allocation takes the least recently freed block (a) and evicts its hash.
    expect(pool.allocate()).toBe(a);
    expect(pool.lookup(111)).toBe(-1);
    expect(pool.lookup(222)).toBe(b);
  });

  it('a cache hit on a free block takes it off the free queue', () => {
    const pool = new BlockPool(2);
    const a = pool.allocate();
    pool.cache(a, 7);
    pool.releaseAll([a]);
    expect(pool.isFree(a)).toBe(true);
    pool.touch(a);
    expect(pool.isFree(a)).toBe(false);
    expect(pool.numFree).toBe(1);
    const other = pool.allocate();
    expect(other).not.toBe(a);
    expect(pool.allocate()).toBe(-1);
  });

  it('releases a request tail-first so shared head blocks outlive its tail', () => {
    const pool = new BlockPool(3);
    const ids = [pool.allocate(), pool.allocate(), pool.allocate()];
    ids.forEach((id, i) => pool.cache(id, 100 + i));
    pool.releaseAll(ids);
    expect(pool.allocate()).toBe(ids[2]);
    expect(pool.lookup(100)).toBe(ids[0]);
  });

  it('first writer wins for a duplicate hash', () => {
    const pool = new BlockPool(2);
    const a = pool.allocate();
    const b = pool.allocate();
    pool.cache(a, 5);
    pool.cache(b, 5);
    expect(pool.lookup(5)).toBe(a);
    expect(pool.numCachedBlocks).toBe(1);
  });
});
