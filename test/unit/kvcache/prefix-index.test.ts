import { describe, expect, it } from 'vitest';
import { PrefixIndex, type PrefixCacheConfig } from '../../../src/kvcache/index.js';
import { defaultRoutingConfig } from '../../../src/routing/index.js';

/** 64 tokens per indexed block with the defaults (16-token blocks, stride 4). */
const TOKENS_PER_ENTRY = 64;

const configWith = (overrides: Partial<PrefixCacheConfig> = {}): PrefixCacheConfig => ({
  ...defaultRoutingConfig().prefixCache,
  ...overrides,
});

/** `n` distinct 52-bit-ish block hashes for prompt `p` (above 2^30, as real hashes are). */
const prompt = (p: number, n = 8): number[] =>
  Array.from({ length: n }, (_, b) => 2 ** 40 + p * 1_000_003 + b * 7_919);

/** Blocks of `hashes` the endpoint still matches at `nowMs`. */
const matched = (index: PrefixIndex, hashes: number[], id: string, nowMs = 10): number =>
  index.match(hashes, [index.genOf(id)], nowMs)[0]!;

describe('PrefixIndex capacity per endpoint', () => {
  it.each([
    // name, default capacity, reported capacity, entries kept per endpoint
    ['default when the engine reports none', 20 * TOKENS_PER_ENTRY, undefined, 20],
    ['reported capacity wins over the default', 400_000, 12 * TOKENS_PER_ENTRY, 12],
    ['a partial indexed block does not count', 400_000, 12 * TOKENS_PER_ENTRY + 63, 12],
    ['at least one entry', 400_000, 1, 1],
    ['large capacity keeps everything', 400_000, 427_200, 80],
  ])('%s', (_name, defaultTokens, reported, kept) => {
    const index = new PrefixIndex(configWith({ defaultEndpointCapacityTokens: defaultTokens }));
    for (let p = 0; p < 10; p++) index.insert(prompt(p), 'e', p, reported);
    expect(index.heldBy('e')).toBe(kept);
    expect(index.size).toBe(kept);
  });

  it('forgets the oldest prefixes first and keeps the newest whole', () => {
    const index = new PrefixIndex(configWith());
    for (let p = 0; p < 4; p++) index.insert(prompt(p), 'e', p, 24 * TOKENS_PER_ENTRY);
    // 32 entries routed, 24 fit: prompt 0 is gone; prompts 1–3 match in full.
    expect([0, 1, 2, 3].map((p) => matched(index, prompt(p), 'e'))).toEqual([0, 8, 8, 8]);
  });

  it('routing a prefix again refreshes it on that endpoint', () => {
    const index = new PrefixIndex(configWith());
    const cap = 16 * TOKENS_PER_ENTRY;
    index.insert(prompt(0), 'e', 0, cap);
    index.insert(prompt(1), 'e', 2_000, cap);
    index.insert(prompt(0), 'e', 4_000, cap); // prompt 0 is now the most recent
    index.insert(prompt(2), 'e', 6_000, cap); // evicts prompt 1
    expect([0, 1, 2].map((p) => matched(index, prompt(p), 'e', 6_000))).toEqual([8, 0, 8]);
  });

  it('a prefix re-sent more often than once a second is still refreshed', () => {
    const index = new PrefixIndex(configWith());
    const cap = 16 * TOKENS_PER_ENTRY;
    index.insert(prompt(0), 'e', 0, cap);
    index.insert(prompt(1), 'e', 100, cap);
    for (let t = 500; t <= 3_000; t += 500) index.insert(prompt(0), 'e', t, cap);
    index.insert(prompt(2), 'e', 3_001, cap); // evicts the least recently routed: prompt 1
    expect([0, 1, 2].map((p) => matched(index, prompt(p), 'e', 3_001))).toEqual([8, 0, 8]);
  });

  it('a prompt’s tail goes before its head (a chain is evicted from its end)', () => {
    const index = new PrefixIndex(configWith());
    index.insert(prompt(0), 'e', 0, 8 * TOKENS_PER_ENTRY);
    index.insert(prompt(1, 4), 'e', 2_000, 8 * TOKENS_PER_ENTRY);
    expect(matched(index, prompt(0), 'e', 2_000)).toBe(4);
  });

  it('one endpoint over capacity does not touch another holding the same blocks', () => {
    const index = new PrefixIndex(configWith());
    index.insert(prompt(0), 'small', 0, 8 * TOKENS_PER_ENTRY);
    index.insert(prompt(0), 'big', 0, 400_000);
    index.insert(prompt(1), 'small', 2_000, 8 * TOKENS_PER_ENTRY);
    expect(matched(index, prompt(0), 'small', 2_000)).toBe(0);
    expect(matched(index, prompt(0), 'big', 2_000)).toBe(8);
    expect(index.size).toBe(16);
  });

  it('keeps the global maxBlocks bound, and an endpoint loses what the global LRU drops', () => {
    const index = new PrefixIndex(configWith({ maxBlocks: 20 }));
    for (let p = 0; p < 10; p++) index.insert(prompt(p), `e${p % 2}`, p * 2_000);
    expect(index.size).toBe(20);
    expect(index.heldBy('e0') + index.heldBy('e1')).toBe(20);
  });

  it('forget() and a new incarnation start with nothing held', () => {
    const index = new PrefixIndex(configWith());
    index.insert(prompt(0), 'e', 0);
    expect(index.heldBy('e')).toBe(8);
    index.forget('e');
    expect(index.heldBy('e')).toBe(0);
    expect(matched(index, prompt(0), 'e')).toBe(0);
  });

  it('remembers the last reported capacity when a later report lacks it', () => {
    const index = new PrefixIndex(configWith());
    index.insert(prompt(0), 'e', 0, 8 * TOKENS_PER_ENTRY);
    index.insert(prompt(1), 'e', 2_000, undefined);
    expect(index.heldBy('e')).toBe(8);
  });
});

describe('PrefixIndex.holders (from the blocks’ side)', () => {
  it('names each holder of leading blocks with its match, as match() counts it per candidate', () => {
    const index = new PrefixIndex(configWith());
    const shared = prompt(0);
    index.insert(shared, 'whole', 0);
    index.insert(shared.slice(0, 3), 'head', 1);
    index.insert(prompt(1), 'other', 2);
    const holders = index.holders(shared, 10);
    expect(Object.fromEntries(holders)).toEqual({ whole: 8, head: 3 });
    for (const [id, blocks] of holders) expect(matched(index, shared, id)).toBe(blocks);
  });

  it('leaves out forgotten incarnations and entries past their TTL', () => {
    const index = new PrefixIndex(configWith({ entryTtlMs: 1_000 }));
    index.insert(prompt(0), 'gone', 0);
    index.insert(prompt(0), 'old', 0);
    index.insert(prompt(0), 'fresh', 900);
    index.forget('gone');
    expect([...index.holders(prompt(0), 1_500).keys()]).toEqual(['fresh']);
    expect(index.holders(prompt(2), 1_500).size).toBe(0);
  });
});
