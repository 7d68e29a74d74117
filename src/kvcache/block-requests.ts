/**
 * What the block service answers to one request, from the L1 store alone (the socket side is
 * adapters/block-connection.ts). Kept pure so the frame accounting — which blocks of a get fit
 * in one reply frame and which are marked `omitted` for the client to ask again — is tested
 * without sockets.
 *
 * A get reply carries pinned store views, not copies: the caller writes them and releases them
 * once the write has drained (or the connection closed).
 */
import { hasCode } from '../shared/index.js';
import { payloadParts } from './received-bytes.js';
import type { BlockStore, BlockView } from './block-store.js';
import {
  DEFAULT_MAX_FRAME_BYTES,
  FRAME_HEADER_BYTES,
  getReplyHitBytes,
  type BlockReply,
  type BlockRequest,
  type GetReplyEntry,
  type PutResult,
} from './block-wire-format.js';
import type { BlockKey } from './eviction-policy.js';
import { prefixFromStore } from './block-prefix.js';
import type { PutSink } from './put-stream.js';

/** A reply and the store views it holds until written. */
export interface ServedReply {
  readonly reply: BlockReply;
  readonly views: readonly BlockView[];
}

/** A data request (every op but auth, which the connection handles). */
export type DataRequest = Exclude<BlockRequest, { readonly op: 'auth' }>;

/**
 * Where blocks missing from L1 may still come from (the agent's L2: peers). A failure is a miss:
 * implementations resolve to what they found, never reject for a peer's fault.
 */
export interface BlockMissSource {
  /** Bytes of whichever of `chain` (a chain suffix, in prefix order) could be fetched. */
  fetch(
    chain: readonly BlockKey[],
    signal: AbortSignal,
  ): Promise<ReadonlyMap<BlockKey, Uint8Array>>;
  /** How many leading blocks of `chain` could be fetched. */
  prefix(chain: readonly BlockKey[], signal: AbortSignal): Promise<number>;
}

/** Serves `req` from `store`; a get fills one frame of at most `maxFrameBytes`. */
export function serveFromStore(
  store: BlockStore,
  req: DataRequest,
  maxFrameBytes = DEFAULT_MAX_FRAME_BYTES,
): ServedReply {
  switch (req.op) {
    case 'put':
      return {
        reply: { op: 'put', id: req.id, results: req.stored ?? req.blocks.map(putOne(store)) },
        views: [],
      };
    case 'exists':
      return { reply: { op: 'exists', id: req.id, flags: store.exists(req.keys) }, views: [] };
    case 'delete':
      return {
        reply: { op: 'delete', id: req.id, flags: req.keys.map((k) => store.delete(k)) },
        views: [],
      };
    case 'longest-prefix':
      return {
        reply: { op: 'longest-prefix', id: req.id, held: store.longestPrefix(req.keys) },
        views: [],
      };
    case 'get':
      return getFromStore(store, req.id, req.keys, maxFrameBytes);
    case 'get-prefix':
      return prefixFromStore(store, req.id, req.keys, maxFrameBytes);
  }
}

function putOne(store: BlockStore): (block: { key: BlockKey; bytes: Uint8Array }) => PutResult {
  return (block) => {
    const { key } = block;
    try {
      // The received views, not `bytes`: joining a split payload first would copy it twice.
      return store.put(key, payloadParts(block));
    } catch (err) {
      if (hasCode(err, 'KV_BLOCK_TOO_LARGE')) return 'too-large';
      throw err;
    }
  };
}

/**
 * Streamed puts into `store` (put-stream.ts) while `accept()` says a put may be stored as it
 * arrives; a block past the largest slot is `too-large`, as putOne answers it.
 */
export function storePutSink(store: BlockStore, accept: () => boolean): PutSink {
  return {
    accept,
    reserve: (key, length) => {
      try {
        return store.reserve(key, length);
      } catch (err) {
        if (hasCode(err, 'KV_BLOCK_TOO_LARGE')) return 'too-large';
        throw err;
      }
    },
  };
}

/**
 * Tracks how full a get reply frame is: every entry takes at least its 9 bytes (key, status),
 * reserved up front, and a hit adds its length and 4 bytes; a hit that would overflow is omitted.
 */
export class GetFrameBudget {
  private used: number;
  private readonly max: number;
  constructor(entries: number, maxFrameBytes: number) {
    this.used = FRAME_HEADER_BYTES + 4 + 9 * entries;
    this.max = maxFrameBytes;
  }
  /** Takes room for a hit of `length` bytes; false (nothing taken) when it does not fit. */
  take(length: number): boolean {
    const extra = getReplyHitBytes(length) - 9;
    if (this.used + extra > this.max) return false;
    this.used += extra;
    return true;
  }
}

function getFromStore(
  store: BlockStore,
  id: number,
  keys: readonly BlockKey[],
  maxFrameBytes: number,
): ServedReply {
  const budget = new GetFrameBudget(keys.length, maxFrameBytes);
  const views: BlockView[] = [];
  const blocks = keys.map((key): GetReplyEntry => {
    const view = store.get(key);
    if (view === undefined) return { key, status: 'miss' };
    if (!budget.take(view.bytes.length)) {
      view.release();
      return { key, status: 'omitted' };
    }
    views.push(view);
    return { key, status: 'hit', bytes: view.bytes };
  });
  return { reply: { op: 'get', id, blocks }, views };
}

/** The chain from the first miss of a get reply on (what L2 is asked for), or empty. */
export function missingChain(blocks: readonly GetReplyEntry[]): BlockKey[] {
  const first = blocks.findIndex((b) => b.status === 'miss');
  if (first < 0) return [];
  return blocks.slice(first).map((b) => b.key);
}

/**
 * The get reply with the misses that `found` has bytes for turned into hits, within the same
 * frame bound (those that no longer fit are omitted: the client asks again).
 */
export function mergeFound(
  blocks: readonly GetReplyEntry[],
  found: ReadonlyMap<BlockKey, Uint8Array>,
  maxFrameBytes: number,
): { blocks: GetReplyEntry[]; filled: number } {
  const budget = new GetFrameBudget(blocks.length, maxFrameBytes);
  for (const b of blocks) if (b.status === 'hit') budget.take(b.bytes.length);
  let filled = 0;
  const merged = blocks.map((b): GetReplyEntry => {
    if (b.status !== 'miss') return b;
    const bytes = found.get(b.key);
    if (bytes === undefined) return b;
    if (!budget.take(bytes.length)) return { key: b.key, status: 'omitted' };
    filled++;
    return { key: b.key, status: 'hit', bytes };
  });
  return { blocks: merged, filled };
}
