/**
 * get-prefix past this node's own run (L2): the longest leading run of a chain over this node's
 * L1 store and its peers together. One peer's run may stop where this node's L1 goes on, and
 * another peer may hold what follows: a conversation's first turns ran on a peer (their blocks
 * are there), its latest turn ran here (only that turn's new blocks were saved here, since a
 * fetched block is kept only once it proves hot). Asking peers once and stopping at the end of
 * their run handed the engine the old turns and made it recompute the newest, which this node
 * held. So the walk alternates — peers from where the run stopped, then the local store from
 * where the peers' run stopped — until the chain ends, a turn adds nothing, the frame is full,
 * the wait is over, or {@link MAX_PEER_ASKS} peer asks were made.
 */
import type { BlockMissSource } from '../block-requests.js';
import type { BlockView, BlockStore } from '../block-store.js';
import { extendPrefix, prefixFromStore, type ServedPrefix } from '../block-prefix.js';
import type { WireBlock } from '../block-wire-format.js';
import type { BlockKey } from '../eviction-policy.js';

/** Peer asks (each a leader lookup and a fetch) one get-prefix may make. */
export const MAX_PEER_ASKS = 4;

/** What the walk needs; `count` is told each tier's hits and misses as the block service counts them. */
export interface PrefixWithPeers {
  readonly store: BlockStore;
  readonly misses: BlockMissSource;
  readonly maxFrameBytes: number;
  readonly signal: AbortSignal;
  readonly count: (tier: 'l1' | 'l2', hits: number, misses: number) => void;
}

/**
 * `served` (the local run of `keys`, ended on a miss) continued over peers and the local store.
 * The result's views are `served`'s and those pinned on the way, for the reply to release.
 * L2 misses are counted per ask (a block asked twice counts twice); L1 blocks found past a
 * peer's run count as hits only (their misses were counted with the first run).
 */
export async function prefixWithPeers(
  keys: readonly BlockKey[],
  served: ServedPrefix,
  w: PrefixWithPeers,
): Promise<{ blocks: WireBlock[]; views: BlockView[] }> {
  let blocks: WireBlock[] = [...served.reply.blocks];
  const views: BlockView[] = [...served.views];
  for (let ask = 0; ask < MAX_PEER_ASKS && blocks.length < keys.length; ask++) {
    if (w.signal.aborted) break;
    const rest = keys.slice(blocks.length);
    const found = await w.misses.fetch(rest, w.signal).catch(() => new Map<BlockKey, Uint8Array>());
    const more = extendPrefix(blocks, rest, found, w.maxFrameBytes);
    w.count('l2', more.added, rest.length - more.added);
    blocks = more.blocks;
    // Nothing from peers, or their run stopped at the frame's bound rather than a gap.
    if (more.added === 0 || more.added < countLeading(rest, found)) break;
    let local: ServedPrefix;
    try {
      local = prefixFromStore(w.store, 0, keys.slice(blocks.length), w.maxFrameBytes, blocks);
    } catch {
      break; // the store failed: the engine gets the run so far, as it would a miss
    }
    views.push(...local.views);
    w.count('l1', local.views.length, 0);
    blocks = [...local.reply.blocks];
    if (!local.endedOnMiss) break;
  }
  return { blocks, views };
}

/** Leading keys of `rest` that `found` has bytes for. */
function countLeading(rest: readonly BlockKey[], found: ReadonlyMap<BlockKey, Uint8Array>): number {
  let n = 0;
  while (n < rest.length && found.has(rest[n] as BlockKey)) n++;
  return n;
}
