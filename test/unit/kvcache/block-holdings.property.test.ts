import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BlockHoldings, type BlockSource } from '../../../src/kvcache/block-holdings.js';
import { BlockPairs } from '../../../src/kvcache/block-pairs.js';
import { BlockTable } from '../../../src/kvcache/block-table.js';

// Hashes from a small pool, spread over the 52-bit range, so blocks collide in small tables
// (8 blocks in 16 slots, often wrapping past the end) and deletions shift long probe runs.
const hash = fc.integer({ min: 0, max: 60 }).map((i) => (i * 0x3_0000_0001 + 17) % 2 ** 52);

describe('BlockTable against a Set', () => {
  it('finds exactly the blocks touched and not deleted, through growth and shifts', () => {
    const op = fc.record({ touch: fc.boolean(), hash });
    fc.assert(
      fc.property(fc.array(op, { minLength: 50, maxLength: 300 }), (ops) => {
        const table = new BlockTable(8);
        const model = new Set<number>();
        for (const o of ops) {
          if (o.touch) {
            if (model.size >= 8 && !model.has(o.hash)) continue; // the caller evicts first
            const slot = table.touch(o.hash);
            expect(table.hashAt(slot)).toBe(o.hash);
            model.add(o.hash);
          } else {
            const slot = table.slotOf(o.hash);
            expect(slot >= 0).toBe(model.has(o.hash));
            if (slot >= 0) table.deleteSlot(slot);
            model.delete(o.hash);
          }
          expect(table.size).toBe(model.size);
        }
        for (let i = 0; i <= 60; i++) {
          const h = (i * 0x3_0000_0001 + 17) % 2 ** 52;
          expect(table.slotOf(h) >= 0).toBe(model.has(h));
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('BlockPairs against a Map', () => {
  it('finds exactly the pairs added and not deleted, through rehashes and shifts', () => {
    const op = fc.record({ add: fc.boolean(), hash, source: fc.nat(3) });
    fc.assert(
      fc.property(fc.array(op, { minLength: 50, maxLength: 300 }), (ops) => {
        const pairs = new BlockPairs(8);
        const model = new Map<string, number>();
        for (const o of ops) {
          const key = `${o.hash}/${o.source}`;
          const p = pairs.find(o.hash, o.source);
          expect(p).toBe(model.get(key) ?? -1);
          if (o.add && p < 0) model.set(key, pairs.add(o.hash, o.source));
          else if (!o.add && p >= 0) {
            pairs.delete(p);
            model.delete(key);
          }
          expect(pairs.size).toBe(model.size);
        }
        for (const [key, p] of model) {
          const [h, s] = key.split('/').map(Number);
          expect(pairs.find(h as number, s as number)).toBe(p);
          expect([pairs.hashOf(p), pairs.sourceOf(p)]).toEqual([h, s]);
        }
      }),
      { numRuns: 300 },
    );
  });
});

describe('BlockHoldings against a model', () => {
  it('holds, lists holders and counts as per-source sets do (no bound reached)', () => {
    const op = fc.oneof(
      fc.record({ kind: fc.constant('store' as const), source: fc.nat(4), hash }),
      fc.record({ kind: fc.constant('remove' as const), source: fc.nat(4), hash }),
      fc.record({ kind: fc.constant('clear' as const), source: fc.nat(4) }),
      fc.record({ kind: fc.constant('drop' as const), source: fc.nat(4) }),
    );
    fc.assert(
      fc.property(fc.array(op, { maxLength: 200 }), (ops) => {
        const holdings = new BlockHoldings({ maxEntries: 1000, maxBlocksPerNode: 1000 });
        const sources: BlockSource[] = [];
        const model: Set<number>[] = [];
        const add = (i: number): void => {
          sources[i] = holdings.addSource(`n${i % 2}`, i === 4 ? 'l1' : 'gpu', `e${i}`);
          model[i] = new Set();
        };
        for (let i = 0; i < 5; i++) add(i);
        for (const o of ops) {
          const s = sources[o.source] as BlockSource;
          const m = model[o.source] as Set<number>;
          if (o.kind === 'store') {
            holdings.store(s, o.hash);
            m.add(o.hash);
          } else if (o.kind === 'remove') {
            holdings.remove(s, o.hash);
            m.delete(o.hash);
          } else if (o.kind === 'clear') {
            holdings.clear(s);
            m.clear();
          } else {
            holdings.dropSource(s);
            add(o.source);
          }
        }
        const all = new Set(model.flatMap((m) => [...m]));
        expect(holdings.entries).toBe(all.size);
        for (let i = 0; i < 5; i++)
          expect((sources[i] as BlockSource).blockCount).toBe((model[i] as Set<number>).size);
        expect(holdings.nodeBlocks('n0')).toBe(
          [0, 2, 4].reduce((a, i) => a + (model[i] as Set<number>).size, 0),
        );
        for (const h of all) {
          const want = sources.filter((_, i) => (model[i] as Set<number>).has(h)).map((s) => s.id);
          expect(holdings.holders(h)?.sort()).toEqual(want.sort());
          for (const s of sources) expect(holdings.holds(s.id, h)).toBe(want.includes(s.id));
        }
      }),
      { numRuns: 300 },
    );
  });

  it('drops the oldest block of the largest source at maxBlocksPerNode', () => {
    const holdings = new BlockHoldings({ maxEntries: 100, maxBlocksPerNode: 3 });
    const a = holdings.addSource('n', 'gpu', 'a');
    const b = holdings.addSource('n', 'l1', undefined);
    for (const h of [10, 11, 12]) holdings.store(a, h);
    holdings.store(a, 10); // 10 is now a's newest: 11 is its oldest
    holdings.store(b, 20);
    expect(holdings.evictions.nodeBound).toBe(1);
    expect([10, 11, 12].map((h) => holdings.holds(a.id, h))).toEqual([true, false, true]);
    expect(holdings.holds(b.id, 20)).toBe(true);
    expect(holdings.nodeBlocks('n')).toBe(3);
  });
});
