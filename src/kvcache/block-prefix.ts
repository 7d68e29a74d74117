/**
 * The get-prefix op served from the L1 store (pure; the socket side is
 * adapters/block-connection.ts): the longest leading run of a chain this node holds, with its
 * bytes, in one reply frame. It is the engine's load in one round trip, where longest-prefix
 * then get took two (and each could wait on the leader's index). The run stops at the first
 * block not held or the first that would overflow the frame; what peers (L2) then supply
 * continues the run only from where it stopped on a miss (adapters/prefix-with-peers.ts).
 */
import type { BlockStore, BlockView } from './block-store.js';
import { FRAME_HEADER_BYTES, type BlockReply, type WireBlock } from './block-wire-format.js';
import type { BlockKey } from './eviction-policy.js';

/** Frame bytes one get-prefix reply block of `length` bytes takes (key, length, bytes). */
const entryBytes = (length: number): number => 12 + length;

/** Frame bytes of a get-prefix reply carrying `blocks`. */
export function prefixReplyBytes(blocks: readonly WireBlock[]): number {
  let used = FRAME_HEADER_BYTES + 4;
  for (const b of blocks) used += entryBytes(b.bytes.length);
  return used;
}

/** A get-prefix reply from the store, and whether its run ended on a miss (L2 may go on). */
export interface ServedPrefix {
  readonly reply: Extract<BlockReply, { readonly op: 'get-prefix' }>;
  /** Pinned store views the reply's bytes are; released once written. */
  readonly views: readonly BlockView[];
  /** True when the run stopped at a block the store lacks (not at the chain's end or the frame). */
  readonly endedOnMiss: boolean;
}

/**
 * The leading run of `keys` held in `store`, pinned, within `maxFrameBytes`, after `held` (blocks
 * already in the reply, which count against the frame; the views returned are the new ones).
 */
export function prefixFromStore(
  store: BlockStore,
  id: number,
  keys: readonly BlockKey[],
  maxFrameBytes: number,
  held: readonly WireBlock[] = [],
): ServedPrefix {
  const views: BlockView[] = [];
  const blocks: WireBlock[] = [...held];
  let used = prefixReplyBytes(held);
  let endedOnMiss = false;
  for (const key of keys) {
    const view = store.get(key);
    if (view === undefined) {
      endedOnMiss = true;
      break;
    }
    if (used + entryBytes(view.bytes.length) > maxFrameBytes) {
      view.release();
      break;
    }
    used += entryBytes(view.bytes.length);
    views.push(view);
    blocks.push({ key, bytes: view.bytes });
  }
  return { reply: { op: 'get-prefix', id, blocks }, views, endedOnMiss };
}

/**
 * `held` continued by the leading blocks of `rest` (the chain past it) that `found` has bytes
 * for, while they fit in `maxFrameBytes`; stops at the first gap.
 */
export function extendPrefix(
  held: readonly WireBlock[],
  rest: readonly BlockKey[],
  found: ReadonlyMap<BlockKey, Uint8Array>,
  maxFrameBytes: number,
): { blocks: WireBlock[]; added: number } {
  const blocks = [...held];
  let used = prefixReplyBytes(held);
  let added = 0;
  for (const key of rest) {
    const bytes = found.get(key);
    if (bytes === undefined || used + entryBytes(bytes.length) > maxFrameBytes) break;
    used += entryBytes(bytes.length);
    blocks.push({ key, bytes });
    added++;
  }
  return { blocks, added };
}
