import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { chooseEvictions, type CacheEntry } from '../../../src/weights/index.js';

const entry = (key: string, bytes: number, lastUsedMs: number, inUse = false): CacheEntry => ({
  key,
  bytes,
  lastUsedMs,
  inUse,
});

describe('chooseEvictions', () => {
  const models = [entry('a', 40, 300), entry('b', 30, 100), entry('c', 20, 200)];

  it.each([
    { name: 'room left: nothing evicted', budget: 100, need: 5, want: [] },
    { name: 'exactly full fits', budget: 100, need: 10, want: [] },
    { name: 'least recently used goes first', budget: 100, need: 30, want: ['b'] },
    { name: 'as many as needed, oldest first', budget: 100, need: 45, want: ['b', 'c'] },
    { name: 'everything idle when needed', budget: 100, need: 100, want: ['b', 'c', 'a'] },
    { name: 'a zero-byte pull into a full cache', budget: 90, need: 0, want: [] },
  ])('$name', ({ budget, need, want }) => {
    const choice = chooseEvictions(models, budget, need);
    expect(choice).toMatchObject({ kind: 'fits', evict: want });
  });

  it('never evicts an entry in use, and skips to the next oldest', () => {
    const held = [entry('a', 40, 300), entry('b', 30, 100, true), entry('c', 20, 200)];
    expect(chooseEvictions(held, 100, 30)).toEqual({ kind: 'fits', evict: ['c'], freedBytes: 20 });
  });

  it('says full, evicting nothing, when idle entries cannot free enough', () => {
    const held = [entry('a', 40, 300, true), entry('b', 30, 100), entry('c', 20, 200)];
    expect(chooseEvictions(held, 100, 70)).toEqual({
      kind: 'full',
      availableBytes: 60,
      neededBytes: 70,
    });
  });

  it('breaks ties of lastUsed by key', () => {
    const tied = [entry('z', 10, 5), entry('m', 10, 5)];
    expect(chooseEvictions(tied, 20, 10)).toMatchObject({ evict: ['m'] });
  });

  it('property: never evicts in use, frees enough or says full, LRU order, no more than needed', () => {
    const entries = fc.uniqueArray(
      fc.record({
        key: fc.string({ minLength: 1, maxLength: 4 }),
        bytes: fc.nat(1000),
        lastUsedMs: fc.nat(50),
        inUse: fc.boolean(),
      }),
      { selector: (e) => e.key, maxLength: 12 },
    );
    fc.assert(
      fc.property(entries, fc.nat(8000), fc.nat(4000), (list, budget, need) => {
        const choice = chooseEvictions(list, budget, need);
        const used = list.reduce((s, e) => s + e.bytes, 0);
        const idle = list.filter((e) => !e.inUse);
        const idleBytes = idle.reduce((s, e) => s + e.bytes, 0);
        if (choice.kind === 'full') {
          expect(budget - used + idleBytes).toBeLessThan(need);
          return;
        }
        const evicted = choice.evict.map((k) => list.find((e) => e.key === k)!);
        expect(evicted.every((e) => !e.inUse)).toBe(true);
        const freed = evicted.reduce((s, e) => s + e.bytes, 0);
        expect(budget - used + freed).toBeGreaterThanOrEqual(need);
        // LRU order: each evicted entry is no newer than any idle entry left behind.
        const kept = idle.filter((e) => !choice.evict.includes(e.key));
        for (const e of evicted)
          for (const k of kept) expect(e.lastUsedMs).toBeLessThanOrEqual(k.lastUsedMs);
        // No more than needed: without the last one evicted, it would not fit.
        const last = evicted.at(-1);
        if (last !== undefined) expect(budget - used + freed - last.bytes).toBeLessThan(need);
      }),
    );
  });
});
