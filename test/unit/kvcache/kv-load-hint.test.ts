/**
 * The router's KV load hint: where the chain's first block no node's L1 holds lies (from the
 * chosen engine's GPU prefix on), how the engine reads it back from `kv_transfer_params`, and
 * when `prefix-cache` leaves one after a pick.
 */
import { describe, expect, it } from 'vitest';
import type { GlobalBlockIndex } from '../../../src/kvcache/index.js';
import {
  kvHintOf,
  kvHintParams,
  firstL1Absent,
  hintedAbsentBlock,
  promptBlockHashes,
  type PrefixCacheMode,
} from '../../../src/kvcache/index.js';
import { defaultRoutingConfig } from '../../../src/routing/index.js';
import { prefixCache } from '../../../src/routing/algorithms/prefix-cache.js';
import {
  aRoutingContext,
  aRoutingMemory,
  anEndpoint,
  fillerText,
  promptRequest,
} from '../../helpers/routing-builders.js';
import { twoNodeBlockIndex } from '../../helpers/block-index-fixture.js';

const request = promptRequest(fillerText('doc', 4096)); // 64 blocks
const chain = promptBlockHashes(request.promptText, 16, 4096);

const blockIndex = (l1Blocks = 40): GlobalBlockIndex => twoNodeBlockIndex(chain, l1Blocks);

describe('firstL1Absent', () => {
  it("is the end of the longest L1 run from the engine's GPU prefix", () => {
    const index = blockIndex();
    expect(firstL1Absent(index, chain, 'e2')?.block).toBe(40);
    // e1's GPU holds 0–9; n2's L1 continues the run to 39.
    expect(firstL1Absent(index, chain, 'e1')?.block).toBe(40);
    expect(firstL1Absent(index, chain.slice(0, 20), 'unknown')).toBeUndefined();
  });

  it("walks the stores' runs in turns, as an agent assembles a load from itself and peers", () => {
    const index = blockIndex();
    index.apply('n3', {
      seq: 1,
      reset: true,
      deltas: [{ tier: 'l1', stored: chain.slice(40, 50) }],
    });
    // n2 holds 0–39, n3 40–49: block 50 is the first no store holds.
    expect(firstL1Absent(index, chain, 'e2')?.block).toBe(50);
  });

  it('is the GPU prefix itself where no L1 holds the next block', () => {
    const index = blockIndex(0);
    expect(firstL1Absent(index, chain, 'e1')?.block).toBe(10);
    expect(firstL1Absent(index, chain, 'e2')?.block).toBe(0);
  });

  it('says nothing where the run reaches the end of the chain hashed (unknown past it)', () => {
    expect(firstL1Absent(blockIndex(64), chain, 'e2')).toBeUndefined();
    expect(firstL1Absent(blockIndex(), [], 'e2')).toBeUndefined();
  });

  it('tells which nodes run an L1 store', () => {
    const index = blockIndex();
    expect(index.hasL1Store('n2')).toBe(true);
    expect(index.hasL1Store('n1')).toBe(false);
  });
});

describe('kvHintOf', () => {
  it('reads back what kvHintParams writes', () => {
    const absent = { block: 17, hash: chain[17]! };
    expect(kvHintOf(kvHintParams(absent))).toEqual(absent);
    expect(kvHintOf(JSON.parse(JSON.stringify(kvHintParams(absent))))).toEqual(absent);
  });

  it("is taken only where the engine's chain has the same hash at that block", () => {
    expect(hintedAbsentBlock(chain, { block: 17, hash: chain[17]! })).toBe(17);
    // Hashed otherwise (another block size, tokenizer or template): ignored.
    expect(hintedAbsentBlock(chain, { block: 17, hash: chain[18]! })).toBeUndefined();
    expect(hintedAbsentBlock(chain, { block: 64, hash: chain[0]! })).toBeUndefined();
    expect(hintedAbsentBlock(chain, undefined)).toBeUndefined();
  });

  it.each([
    undefined,
    null,
    'x',
    [],
    { infernode: null },
    { infernode: { l1_absent_block: 3 } },
    { infernode: { l1_absent_block: -1, l1_absent_hash: 5 } },
    { infernode: { l1_absent_block: 1.5, l1_absent_hash: 5 } },
    { infernode: { l1_absent_block: '3', l1_absent_hash: 5 } },
    { infernode: { l1_absent_block: 2 ** 60, l1_absent_hash: 5 } },
    { infernode: { l1_absent_block: 3, l1_absent_hash: 'x' } },
    { do_remote_prefill: true },
  ])('is undefined for %j (a malformed hint means a lookup, never an error)', (params) => {
    expect(kvHintOf(params)).toBeUndefined();
  });
});

describe("prefix-cache's pick leaves the hint", () => {
  const endpoints = [anEndpoint('e1', { node: 'n1' }), anEndpoint('e2', { node: 'n2' })];

  function routedTo(id: string, mode: PrefixCacheMode = 'auto') {
    const base = defaultRoutingConfig();
    const memory = aRoutingMemory({ ...base, prefixCache: { ...base.prefixCache, mode } });
    const ctx = { ...aRoutingContext(1, memory), blockIndex: blockIndex() };
    const chosen = endpoints.find((e) => e.id === id)!;
    prefixCache.score({ endpoints, nowMs: 1 }, request, ctx);
    prefixCache.onRouted?.(chosen, request, ctx, { endpoints, nowMs: 1 });
    return ctx.prefixIndex.loadHint;
  }

  it('for an engine on a node with an L1 store', () => {
    expect(routedTo('e2')).toEqual({
      request,
      engineId: 'e2',
      absent: { block: 40, hash: chain[40] },
    });
  });

  it('not for an engine whose node runs no L1 store, nor in approximate mode', () => {
    expect(routedTo('e1')).toBeUndefined();
    expect(routedTo('e2', 'approximate')).toBeUndefined();
  });
});
