import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BlockSampler } from '../../../src/kvcache/chain-walks.js';
import { GlobalBlockIndex } from '../../../src/kvcache/index.js';

/** A chain of distinct hashes below 2^52, as promptBlockHashes makes them. */
const chainOf = (seed: number, n: number): number[] =>
  Array.from({ length: n }, (_, i) => (seed * 7919 + i * 104_729 + 1) % 2 ** 52);

/**
 * What a sampled index can say of a source holding the first `held` blocks of `chain` (from
 * `from`): up to and including the last kept block it holds, or 0 when it holds no kept block.
 */
function expected(sampler: BlockSampler, chain: number[], from: number, held: number): number {
  let last = -1;
  for (let i = from; i < held; i++) if (sampler.keeps(chain[i] as number)) last = i;
  return last < 0 ? 0 : last + 1 - from;
}

describe('BlockSampler', () => {
  it('keeps every block at 1, about one in N otherwise, the same blocks every time', () => {
    const hashes = chainOf(3, 20_000);
    expect(hashes.every((h) => new BlockSampler(1).keeps(h))).toBe(true);
    for (const every of [2, 4, 8]) {
      const kept = hashes.filter((h) => new BlockSampler(every).keeps(h)).length / hashes.length;
      expect(kept).toBeGreaterThan(0.8 / every);
      expect(kept).toBeLessThan(1.2 / every);
    }
    // Sequential hashes (the leader bench's) are spread too.
    const sequential = Array.from({ length: 4000 }, (_, i) => 2 ** 32 + i);
    const kept4 = sequential.filter((h) => new BlockSampler(4).keeps(h)).length;
    expect(kept4).toBeGreaterThan(800);
    expect(kept4).toBeLessThan(1200);
    expect(() => new BlockSampler(0)).toThrow(RangeError);
    expect(() => new BlockSampler(1.5)).toThrow(RangeError);
  });
});

describe('a sampled GlobalBlockIndex', () => {
  it('counts each prefix up to its last kept block, per candidate and from the holders alike', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(1, 2, 4, 8),
        fc.integer({ min: 0, max: 1000 }),
        fc.array(fc.integer({ min: 0, max: 40 }), { minLength: 1, maxLength: 6 }),
        fc.integer({ min: 0, max: 40 }),
        fc.integer({ min: 0, max: 12 }),
        (every, seed, gpuHeld, l1Held, from) => {
          const sampler = new BlockSampler(every);
          const chain = chainOf(seed, 40);
          const index = new GlobalBlockIndex({
            maxEntries: 10_000,
            maxBlocksPerNode: 10_000,
            sampleEvery: every,
          });
          const engines = gpuHeld.map((_, i) => `e${i}`);
          index.apply('n', {
            seq: 1,
            reset: true,
            deltas: [
              ...gpuHeld.map((held, i) => ({
                tier: 'gpu' as const,
                engineId: `e${i}`,
                stored: chain.slice(0, held),
              })),
              { tier: 'l1' as const, stored: chain.slice(0, l1Held) },
            ],
          });
          const want = gpuHeld.map((held) => expected(sampler, chain, 0, held));
          expect([...index.gpuPrefixBlocks(chain, engines)]).toEqual(want);
          const holders = index.gpuPrefixHolders(chain);
          expect(engines.map((id) => holders.get(id) ?? 0)).toEqual(want);
          const l1 = expected(sampler, chain, from, l1Held);
          expect(index.l1PrefixBlocks(chain, ['n'], from)[0]).toBe(l1);
          expect(index.l1PrefixHolders(chain, from).get('n') ?? 0).toBe(l1);
          // Only kept blocks take room in the index.
          const kept = chain.filter((h) => sampler.keeps(h));
          const stored = chain.slice(0, Math.max(l1Held, ...gpuHeld));
          expect(index.entries).toBe(stored.filter((h) => kept.includes(h)).length);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('drops a removed kept block and ignores removals of blocks it never kept', () => {
    const chain = chainOf(11, 64);
    const index = new GlobalBlockIndex({
      maxEntries: 10_000,
      maxBlocksPerNode: 10_000,
      sampleEvery: 4,
    });
    index.apply('n', {
      seq: 1,
      reset: true,
      deltas: [{ tier: 'gpu', engineId: 'e', stored: chain }],
    });
    const sampler = new BlockSampler(4);
    const keptAt = chain.flatMap((h, i) => (sampler.keeps(h) ? [i] : []));
    expect(index.gpuPrefixBlocks(chain, ['e'])[0]).toBe((keptAt.at(-1) as number) + 1);
    const unkept = chain.filter((h) => !sampler.keeps(h));
    index.apply('n', { seq: 2, deltas: [{ tier: 'gpu', engineId: 'e', removed: unkept }] });
    expect(index.gpuPrefixBlocks(chain, ['e'])[0]).toBe((keptAt.at(-1) as number) + 1);
    const second = keptAt[1] as number;
    index.apply('n', {
      seq: 3,
      deltas: [{ tier: 'gpu', engineId: 'e', removed: [chain[second] as number] }],
    });
    // The run ends at the last kept block before the removed one.
    expect(index.gpuPrefixBlocks(chain, ['e'])[0]).toBe((keptAt[0] as number) + 1);
  });
});
