import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BlockStore, type BlockKey, type BlockStoreOptions } from '../../../src/kvcache/index.js';
import { hasCode } from '../../../src/shared/index.js';

/** Bytes of `length` filled from `seed`, so each block's content is recognisable. */
const block = (seed: number, length: number): Uint8Array =>
  Uint8Array.from({ length }, (_, i) => (seed * 31 + i * 7) & 0xff);

/** A small store: slots of 16 and 64 bytes in 256-byte slabs, 1 KiB budget (4 slabs). */
function smallStore(extra: Partial<BlockStoreOptions> = {}): {
  store: BlockStore;
  evicted: [BlockKey, number][];
} {
  const evicted: [BlockKey, number][] = [];
  const store = new BlockStore({
    budgetBytes: 1024,
    slotSizes: [16, 64],
    slabBytes: 256,
    onEvict: (key, bytes) => evicted.push([key, bytes]),
    ...extra,
  });
  return { store, evicted };
}

describe('BlockStore basics', () => {
  it('stores copies, answers exists in batches and the longest held prefix of a chain', () => {
    const { store } = smallStore();
    const data = block(1, 40);
    expect(store.put(101, data)).toBe('stored');
    data.fill(0); // the store copied in
    expect(store.getCopy(101)).toEqual(block(1, 40));
    expect(store.put(102, block(2, 10))).toBe('stored');
    expect(store.put(104, block(4, 10))).toBe('stored');
    expect(store.exists([101, 103, 104])).toEqual([true, false, true]);
    expect(store.longestPrefix([101, 102, 103, 104])).toBe(2);
    expect(store.longestPrefix([103, 101])).toBe(0);
    expect(store.longestPrefix([])).toBe(0);
    expect(store.delete(102)).toBe(true);
    expect(store.delete(102)).toBe(false);
    expect(store.longestPrefix([101, 102])).toBe(1);
    expect(store.get(102)).toBeUndefined();
    const s = store.stats();
    expect(s).toMatchObject({
      blocks: 2,
      bytes: 50,
      slotBytes: 64 + 16,
      putsTotal: 3,
      deletesTotal: 1,
      hitsTotal: 1,
      missesTotal: 1,
    });
  });

  it('keeps the block already held under a key (a chained hash names its content)', () => {
    const { store } = smallStore();
    store.put(7, block(1, 16));
    expect(store.put(7, block(2, 16))).toBe('present');
    expect(store.getCopy(7)).toEqual(block(1, 16));
    expect(store.stats()).toMatchObject({ blocks: 1, putsTotal: 1, putsPresentTotal: 1 });
  });

  it('refuses a block larger than the largest slot class with a clear error and evicts nothing', () => {
    const { store, evicted } = smallStore();
    for (let k = 0; k < 16; k++) store.put(k, block(k, 64));
    let caught: unknown;
    try {
      store.put(99, new Uint8Array(65));
    } catch (err) {
      caught = err;
    }
    expect(hasCode(caught, 'KV_BLOCK_TOO_LARGE')).toBe(true);
    expect((caught as Error).message).toMatch(/65 bytes.*largest slot \(64 bytes\)/);
    expect(evicted).toEqual([]);
    expect(store.stats()).toMatchObject({ blocks: 16, putsTooLargeTotal: 1 });
  });

  it('allocates slots inside shared slabs, not one buffer per block', () => {
    const { store } = smallStore();
    store.put(1, block(1, 64));
    store.put(2, block(2, 60));
    const a = store.get(1)!;
    const b = store.get(2)!;
    expect(a.bytes.buffer).toBe(b.bytes.buffer);
    expect(a.bytes.buffer.byteLength).toBe(256);
    a.release();
    b.release();
    expect(store.stats().slabBytes).toBe(256);
  });
});

describe('BlockStore eviction and budget', () => {
  it('evicts by the policy when full, reports what left, and never allocates past the budget', () => {
    const { store, evicted } = smallStore({ policy: 'lru' });
    // 4 slabs × 4 slots of 64 bytes: 16 blocks fit.
    for (let k = 0; k < 16; k++) store.put(k, block(k, 64));
    store.get(0); // 0 becomes the most recently used
    store.put(16, block(16, 64));
    store.put(17, block(17, 50));
    expect(evicted).toEqual([
      [1, 64],
      [2, 64],
    ]);
    expect(store.exists([0, 1, 2, 16, 17])).toEqual([true, false, false, true, true]);
    expect(store.stats()).toMatchObject({
      slabBytes: 1024,
      blocks: 16,
      evictionsTotal: 2,
      evictedBytesTotal: 128,
    });
  });

  it('with the default slot classes holds its whole budget of 2 KiB blocks (a bench’s scaled KV)', () => {
    // 2 MiB blocks × 1/1024: one 4 MiB budget must hold 2048 of them before evicting one.
    const store = new BlockStore({ budgetBytes: 4 * 1024 * 1024, slabBytes: 1024 * 1024 });
    for (let k = 0; k < 2048; k++) store.put(k, block(k, 2048));
    expect(store.stats()).toMatchObject({ blocks: 2048, evictionsTotal: 0 });
    store.put(2048, block(2048, 2048));
    expect(store.stats()).toMatchObject({ blocks: 2048, evictionsTotal: 1 });
  });

  it('keeps a view valid while a reader holds it, even after its block is evicted', () => {
    const { store, evicted } = smallStore({ policy: 'lru' });
    store.put(1, block(1, 64));
    const view = store.get(1)!;
    for (let k = 2; k < 40; k++) store.put(k, block(k, 64));
    expect(evicted.map(([k]) => k)).toContain(1);
    expect(store.get(1)).toBeUndefined();
    expect(view.bytes).toEqual(block(1, 64)); // its slot was not reused
    // 15 blocks held and the evicted, pinned one: all 16 slots of the budget.
    expect(store.stats()).toMatchObject({ pinnedViews: 1, blocks: 15, slotBytes: 16 * 64 });
    view.release();
    view.release(); // idempotent
    expect(store.stats()).toMatchObject({ pinnedViews: 0, blocks: 15, slotBytes: 15 * 64 });
    expect(store.put(99, block(99, 64))).toBe('stored'); // the freed slot, no eviction
    expect(store.stats().blocks).toBe(16);
  });

  it('answers no-room, and loses nothing, when every slot is pinned by readers', () => {
    const { store } = smallStore({ budgetBytes: 256, slabBytes: 256 });
    const views = [];
    for (let k = 0; k < 4; k++) {
      store.put(k, block(k, 64));
      views.push(store.get(k)!);
    }
    expect(store.put(9, block(9, 64))).toBe('no-room');
    // The pinned blocks were evicted to make room, but their bytes are intact.
    views.forEach((v, k) => expect(v.bytes).toEqual(block(k, 64)));
    expect(store.stats()).toMatchObject({ putsNoRoomTotal: 1, slabBytes: 256 });
    views.forEach((v) => v.release());
    expect(store.put(9, block(9, 64))).toBe('stored');
  });

  it('reuses a freed slab for another slot class', () => {
    const { store } = smallStore({ budgetBytes: 256, slabBytes: 256, policy: 'lru' });
    for (let k = 0; k < 4; k++) store.put(k, block(k, 64));
    // The only slab is full of 64-byte slots: a 16-byte block needs the whole slab emptied.
    expect(store.put(10, block(10, 16))).toBe('stored');
    expect(store.stats()).toMatchObject({ blocks: 1, slabBytes: 256, evictionsTotal: 4 });
    for (let k = 11; k < 26; k++) store.put(k, block(k, 16));
    expect(store.stats().blocks).toBe(16);
  });

  it('holds exactly what it was given, within budget, on generated mixed workloads', () => {
    type Op =
      | { op: 'put'; key: number; len: number }
      | { op: 'get' | 'del'; key: number }
      | { op: 'pin' | 'unpin'; key: number };
    const op: fc.Arbitrary<Op> = fc.oneof(
      {
        weight: 5,
        arbitrary: fc.record({
          op: fc.constant('put' as const),
          key: fc.nat(40),
          len: fc.integer({ min: 0, max: 64 }),
        }),
      },
      {
        weight: 3,
        arbitrary: fc.record({
          op: fc.constantFrom('get' as const, 'del' as const),
          key: fc.nat(40),
        }),
      },
      {
        weight: 1,
        arbitrary: fc.record({
          op: fc.constantFrom('pin' as const, 'unpin' as const),
          key: fc.nat(40),
        }),
      },
    );
    fc.assert(
      fc.property(
        fc.constantFrom('s3fifo' as const, 'lru' as const),
        fc.array(op, { maxLength: 150 }),
        (policy, ops) => {
          const { store, evicted } = smallStore({ policy, budgetBytes: 512 });
          const expected = new Map<number, Uint8Array>();
          const pins = new Map<number, { bytes: Uint8Array; want: Uint8Array; release(): void }>();
          let version = 0;
          for (const o of ops) {
            evicted.length = 0;
            if (o.op === 'put') {
              const data = block(++version, o.len);
              const had = expected.get(o.key);
              const outcome = store.put(o.key, data);
              if (outcome === 'stored') expected.set(o.key, data);
              else if (outcome === 'present') expect(had?.length).toBe(o.len);
              else expected.delete(o.key);
            } else if (o.op === 'get') {
              expect(store.getCopy(o.key)).toEqual(expected.get(o.key));
            } else if (o.op === 'del') {
              expect(store.delete(o.key)).toBe(expected.delete(o.key));
            } else if (o.op === 'pin' && !pins.has(o.key)) {
              const v = store.get(o.key);
              if (v !== undefined) pins.set(o.key, { ...v, want: v.bytes.slice() });
            } else if (o.op === 'unpin') {
              pins.get(o.key)?.release();
              pins.delete(o.key);
            }
            for (const [key, bytes] of evicted) {
              expect(expected.get(key)?.length).toBe(bytes);
              expected.delete(key);
            }
            const s = store.stats();
            expect(s.slabBytes).toBeLessThanOrEqual(512);
            expect(s.blocks).toBe(expected.size);
            expect(store.exists([...expected.keys()]).every(Boolean)).toBe(true);
            for (const p of pins.values()) expect(p.bytes).toEqual(p.want);
          }
          for (const [key, want] of expected) expect(store.getCopy(key)).toEqual(want);
        },
      ),
      { numRuns: 200 },
    );
  });
});
