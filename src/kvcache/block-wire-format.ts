/**
 * The native KV block protocol's frame layout and message shapes (the codec is block-wire.ts
 * and block-wire-decoder.ts). One frame = a 16-byte header + a body, little-endian:
 *
 *   0  magic "IKV" + version 1   (0x49 0x4B 0x56 0x01)
 *   4  u32 body length           (header + body ≤ the bounded frame size)
 *   8  u8  op                    put 1, get 2, exists 3, longest-prefix 4, delete 5, auth 6,
 *                                get-prefix 7, error 0x7F
 *   9  u8  kind                  request 0, reply 1
 *  10  u16 reserved, 0
 *  12  u32 request id            a reply carries its request's id
 *
 * Bodies: every request is `u32 count` then `count` × (`u64 key` [+ `u32 length`, bytes for
 * put]); replies: put `u32 count` + `count` × u8 outcome; get `u32 count` + `count` ×
 * (`u64 key`, u8 status, [`u32 length`, bytes] when a hit); exists and delete `u32 count` +
 * `count` × u8 0/1; longest-prefix `u32 held`; error `u16 code`, `u16 length`, UTF-8 message.
 * Get-prefix (the engine's one-round-trip load: the longest held prefix of a chain with its
 * bytes): request `u32 l2WaitMs` then `u32 count` × `u64 key` (l2WaitMs 0: this node's L1 only;
 * else the wall ms the server may spend asking peers for what follows its local run); reply
 * `u32 count` × (`u64 key`, `u32 length`, bytes), the leading run of the chain, shorter when
 * a block is missing or the next one would not fit the frame.
 * Auth (the first frame of every connection): request `u8 flags`, `u16 length`, the UTF-8 token
 * (≤ MAX_TOKEN_BYTES); flag bit 0 = `peer` (a fetch from another agent: answer from this node's
 * L1 only, never ask peers in turn); reply: an empty body, or an `unauthenticated` error and the
 * connection closes.
 * Keys are the 52-bit chained block hashes as u64 (the decoder refuses anything above 2^53 − 1).
 *
 * Why so: length-prefixed frames let the decoder refuse an oversized frame from its header,
 * before buffering it; many blocks per frame amortise the per-request cost (AIBrix batches 32 L2
 * ops); ids let a client pipeline. The magic cannot start an LMCache request (whose first
 * bytes are a little-endian command 1..5), so one port could tell the two protocols apart.
 * A get reply may mark blocks `omitted` when the whole batch does not fit in one frame: the
 * client asks again for those.
 */
import type { BlockKey } from './eviction-policy.js';

/** The 4 bytes every frame starts with: "IKV" and the protocol version. */
export const FRAME_MAGIC = Uint8Array.of(0x49, 0x4b, 0x56, 0x01);

/** Header bytes before every body. */
export const FRAME_HEADER_BYTES = 16;

/** Frame bound by default: 32 blocks of 2 MiB (AIBrix's L2 batch) plus headers fit. */
export const DEFAULT_MAX_FRAME_BYTES = 65 * 1024 * 1024;

/** Keys (or blocks) per frame by default: bounds the arrays a decoded frame builds. */
export const DEFAULT_MAX_KEYS_PER_FRAME = 65_536;

/** Longest auth token carried, bytes. */
export const MAX_TOKEN_BYTES = 512;

/** Longest error message carried, bytes. */
export const MAX_ERROR_MESSAGE_BYTES = 1024;

/** Op codes on the wire. */
export const OP_CODES = {
  put: 1,
  get: 2,
  exists: 3,
  'longest-prefix': 4,
  delete: 5,
  auth: 6,
  'get-prefix': 7,
  error: 0x7f,
} as const;

/** An op name. */
export type BlockOp = keyof typeof OP_CODES;

/** Error reply codes on the wire. */
export const WIRE_ERROR_CODES = {
  malformed: 1,
  'unknown-op': 2,
  'frame-too-large': 3,
  unauthenticated: 4,
  busy: 5,
  internal: 6,
} as const;

/** An error reply's code. */
export type WireErrorCode = keyof typeof WIRE_ERROR_CODES;

/** What a put did to one block, in request order (the store's PutOutcome plus `too-large`). */
export const PUT_RESULTS = ['stored', 'present', 'no-room', 'too-large'] as const;

/** One block's put outcome. */
export type PutResult = (typeof PUT_RESULTS)[number];

/** One block to put. */
export interface WireBlock {
  readonly key: BlockKey;
  readonly bytes: Uint8Array;
}

/** A request from a client. */
export type BlockRequest =
  | {
      readonly op: 'put';
      readonly id: number;
      readonly blocks: readonly WireBlock[];
      /**
       * Set by the service's decoder when it stored the blocks as they arrived (put-stream.ts):
       * their outcomes, in order; `blocks` is then empty. Never on the wire.
       */
      readonly stored?: readonly PutResult[];
    }
  | {
      readonly op: 'auth';
      readonly id: number;
      readonly token: string;
      /** A peer agent's fetch: served from L1 only (no onward L2 lookup). */
      readonly peer: boolean;
    }
  | {
      readonly op: 'get' | 'exists' | 'longest-prefix' | 'delete';
      readonly id: number;
      readonly keys: readonly BlockKey[];
    }
  | {
      readonly op: 'get-prefix';
      readonly id: number;
      /** Wall ms the server may spend asking peers (L2) past its local run; 0: L1 only. */
      readonly l2WaitMs: number;
      readonly keys: readonly BlockKey[];
    };

/** One block of a get reply: its bytes, a miss, or left out because the frame was full. */
export type GetReplyEntry =
  | { readonly key: BlockKey; readonly status: 'hit'; readonly bytes: Uint8Array }
  | { readonly key: BlockKey; readonly status: 'miss' | 'omitted' };

/** A reply from the server. */
export type BlockReply =
  | { readonly op: 'put'; readonly id: number; readonly results: readonly PutResult[] }
  | { readonly op: 'get'; readonly id: number; readonly blocks: readonly GetReplyEntry[] }
  | { readonly op: 'exists' | 'delete'; readonly id: number; readonly flags: readonly boolean[] }
  | { readonly op: 'longest-prefix'; readonly id: number; readonly held: number }
  | {
      readonly op: 'get-prefix';
      readonly id: number;
      /** The chain's leading held blocks, in chain order. */
      readonly blocks: readonly WireBlock[];
    }
  | { readonly op: 'auth'; readonly id: number }
  | {
      readonly op: 'error';
      readonly id: number;
      readonly code: WireErrorCode;
      readonly message: string;
    };

/** Get-reply statuses on the wire, by index. */
export const GET_STATUSES = ['hit', 'miss', 'omitted'] as const;

/** Frame bytes one get-reply hit of `length` bytes adds (key, status, length, bytes). */
export const getReplyHitBytes = (length: number): number => 13 + length;
