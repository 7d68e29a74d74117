/**
 * get-prefix over this node's L1 and its peers together: the run goes on past a peer's blocks
 * into this node's own, and from one peer to the next, within its bounds.
 */
import { describe, expect, it } from 'vitest';
import {
  MAX_PEER_ASKS,
  prefixWithPeers,
} from '../../../../src/kvcache/adapters/prefix-with-peers.js';
import {
  FRAME_HEADER_BYTES,
  prefixFromStore,
  type BlockStore,
} from '../../../../src/kvcache/index.js';
import { block, storeHolding } from '../../../helpers/small-block-store.js';

/** Peers, each holding some keys: a fetch answers the longest leading run one peer holds. */
function peers(...held: number[][]) {
  const asks: number[][] = [];
  return {
    asks,
    fetch(chain: readonly number[], signal: AbortSignal) {
      asks.push([...chain]);
      if (signal.aborted) return Promise.resolve(new Map<number, Uint8Array>());
      let best = new Map<number, Uint8Array>();
      for (const keys of held) {
        const run = new Map<number, Uint8Array>();
        for (const k of chain) {
          if (!keys.includes(k)) break;
          run.set(k, block(k));
        }
        if (run.size > best.size) best = run;
      }
      return Promise.resolve(best);
    },
    prefix: () => Promise.resolve(0),
  };
}

async function walk(
  keys: number[],
  local: BlockStore,
  misses: ReturnType<typeof peers>,
  maxFrameBytes = 1 << 20,
  signal = new AbortController().signal,
) {
  const served = prefixFromStore(local, 1, keys, maxFrameBytes);
  const counts = { l1: [0, 0], l2: [0, 0] };
  const out = await prefixWithPeers(keys, served, {
    store: local,
    misses,
    maxFrameBytes,
    signal,
    count: (tier, hits, missed) => {
      counts[tier][0]! += hits;
      counts[tier][1]! += missed;
    },
  });
  for (const v of out.views) v.release();
  return { keys: out.blocks.map((b) => b.key), out, counts };
}

describe('prefixWithPeers', () => {
  it('goes on into this node’s own blocks past a peer’s run', async () => {
    // Turns 1–2 ran on the peer (1, 2, 3); turn 3 ran here and saved only its new blocks (4, 5).
    const local = storeHolding([4, 5]);
    const misses = peers([1, 2, 3]);
    const { keys, out, counts } = await walk([1, 2, 3, 4, 5, 6], local, misses);
    expect(keys).toEqual([1, 2, 3, 4, 5]);
    expect(out.blocks.map((b) => Array.from(b.bytes))).toEqual(
      [1, 2, 3, 4, 5].map((k) => Array.from(block(k))),
    );
    expect(out.views).toHaveLength(2); // the local blocks, pinned for the reply
    expect(misses.asks).toEqual([[1, 2, 3, 4, 5, 6], [6]]);
    expect(counts).toEqual({ l1: [2, 0], l2: [3, 4] });
  });

  it('goes from one peer to the next', async () => {
    const misses = peers([1, 2], [3, 4]);
    const { keys } = await walk([1, 2, 3, 4], storeHolding([]), misses);
    expect(keys).toEqual([1, 2, 3, 4]);
  });

  it('makes at most MAX_PEER_ASKS asks', async () => {
    // Peer and local alternate one block at a time: every ask adds one block.
    const chain = Array.from({ length: 2 * MAX_PEER_ASKS + 4 }, (_, i) => i + 1);
    const misses = peers(chain.filter((k) => k % 2 === 1));
    const { keys } = await walk(chain, storeHolding(chain.filter((k) => k % 2 === 0)), misses);
    expect(misses.asks).toHaveLength(MAX_PEER_ASKS);
    expect(keys).toEqual(chain.slice(0, 2 * MAX_PEER_ASKS));
  });

  it('stops at the frame bound, with no local walk past it', async () => {
    const twoFit = FRAME_HEADER_BYTES + 4 + 2 * (12 + 40);
    const misses = peers([1, 2, 3]);
    const { keys, out } = await walk([1, 2, 3, 4], storeHolding([3, 4]), misses, twoFit);
    expect(keys).toEqual([1, 2]);
    expect(out.views).toHaveLength(0);
    expect(misses.asks).toHaveLength(1);
  });

  it('asks no peer once the wait is over', async () => {
    const stop = new AbortController();
    stop.abort();
    const misses = peers([1, 2]);
    const { keys } = await walk([1, 2], storeHolding([]), misses, 1 << 20, stop.signal);
    expect(keys).toEqual([]);
    expect(misses.asks).toHaveLength(0);
  });
});
