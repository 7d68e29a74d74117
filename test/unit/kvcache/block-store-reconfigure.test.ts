/** BlockStore.reconfigure (kv.configure): resize within the budget, and a policy change. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BlockStore, type BlockKey } from '../../../src/kvcache/index.js';

const block = (seed: number, length: number): Uint8Array =>
  Uint8Array.from({ length }, (_, i) => (seed * 31 + i * 7) & 0xff);

/** 64-byte slots in 256-byte slabs (4 blocks a slab), 1 KiB budget: 16 blocks. */
function fullStore(policy: 'lru' | 's3fifo' = 'lru') {
  const evicted: BlockKey[] = [];
  const store = new BlockStore({
    budgetBytes: 1024,
    slotSizes: [64],
    slabBytes: 256,
    policy,
    onEvict: (key) => evicted.push(key),
  });
  for (let k = 0; k < 16; k++) expect(store.put(k, block(k, 64))).toBe('stored');
  return { store, evicted };
}

describe('BlockStore.reconfigure', () => {
  it('shrinking evicts the oldest blocks down to the new budget and never grows past it', () => {
    const { store, evicted } = fullStore();
    store.reconfigure(512, 'lru');
    expect(store.budgetBytes).toBe(512);
    expect(evicted).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(store.stats()).toMatchObject({ blocks: 8, bytes: 512, budgetBytes: 512 });
    expect(store.stats().slabBytes).toBeLessThanOrEqual(512);
    for (let k = 8; k < 16; k++) expect(store.getCopy(k)).toEqual(block(k, 64));
    for (let k = 100; k < 120; k++) store.put(k, block(k, 64));
    expect(store.stats().slabBytes).toBeLessThanOrEqual(512);
    expect(store.stats().blocks).toBe(8);
  });

  it('growing keeps every block and makes room for more', () => {
    const { store, evicted } = fullStore();
    store.reconfigure(2048, 'lru');
    for (let k = 16; k < 32; k++) expect(store.put(k, block(k, 64))).toBe('stored');
    expect(evicted).toEqual([]);
    expect(store.stats()).toMatchObject({ blocks: 32, budgetBytes: 2048 });
  });

  it('a policy change keeps the blocks and evicts by the new policy from then on', () => {
    const { store, evicted } = fullStore('s3fifo');
    store.reconfigure(1024, 'lru');
    expect(store.policyName).toBe('lru');
    expect(store.stats().blocks).toBe(16);
    expect(store.getCopy(0)).toEqual(block(0, 64)); // 0 is now the most recently used
    store.put(99, block(99, 64));
    expect(evicted).toEqual([1]);
    expect(store.exists([0, 1, 99])).toEqual([true, false, true]);
  });

  it('a block pinned by a reader frees its slab on release, then the store fits the budget', () => {
    const { store } = fullStore();
    const view = store.get(0);
    store.reconfigure(256, 'lru');
    expect(store.exists([0])).toEqual([false]);
    expect(view?.bytes).toEqual(block(0, 64)); // the reader's bytes are intact until release
    view?.release();
    expect(store.stats().slabBytes).toBeLessThanOrEqual(256);
  });

  it('slab memory stays within the budget across any puts and reconfigurations', () => {
    const op = fc.oneof(
      fc.record({ put: fc.integer({ min: 0, max: 40 }), bytes: fc.integer({ min: 1, max: 64 }) }),
      fc.record({
        budget: fc.integer({ min: 1, max: 2048 }),
        policy: fc.constantFrom('lru' as const, 's3fifo' as const),
      }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
        const store = new BlockStore({ budgetBytes: 1024, slotSizes: [16, 64], slabBytes: 256 });
        for (const o of ops) {
          if ('put' in o) store.put(o.put, block(o.put, o.bytes));
          else store.reconfigure(o.budget, o.policy);
          expect(store.stats().slabBytes).toBeLessThanOrEqual(store.budgetBytes);
          expect(store.stats().slotBytes).toBeLessThanOrEqual(store.stats().slabBytes);
        }
      }),
    );
  });
});
