/**
 * Encodes native KV block frames (layout in block-wire-format.ts). An encoded frame is a list of
 * parts, not one buffer: block payloads are passed through as they are (a pinned store view, a
 * client's buffer), so a socket can gather-write them without copying; `joinFrame` makes one
 * buffer of them where a copy does not matter.
 */
import {
  DEFAULT_MAX_FRAME_BYTES,
  FRAME_HEADER_BYTES,
  GET_STATUSES,
  MAX_ERROR_MESSAGE_BYTES,
  MAX_TOKEN_BYTES,
  PUT_RESULTS,
  WIRE_ERROR_CODES,
  type BlockOp,
  type BlockReply,
  type BlockRequest,
  type WireBlock,
} from './block-wire-format.js';
import { payloadLength, payloadParts } from './received-bytes.js';
import { Writer, checkFrameSize, frameHeader } from './block-wire-writer.js';

/** A frame whose body is `count` then one fixed-size record per item. */
function fixedFrame(
  op: BlockOp,
  kind: 0 | 1,
  id: number,
  body: number,
  fill: (w: Writer) => void,
  maxFrameBytes: number,
): Uint8Array[] {
  checkFrameSize(FRAME_HEADER_BYTES + body, maxFrameBytes);
  const w = frameHeader(op, kind, id, body, body);
  fill(w);
  return [w.buf];
}

/** The frame of a request, as parts (throws KV_FRAME_TOO_LARGE past `maxFrameBytes`). */
export function encodeRequest(
  req: BlockRequest,
  maxFrameBytes = DEFAULT_MAX_FRAME_BYTES,
): Uint8Array[] {
  if (req.op === 'auth') {
    const token = new TextEncoder().encode(req.token);
    if (token.length > MAX_TOKEN_BYTES)
      throw new RangeError(`token of ${token.length} bytes exceeds ${MAX_TOKEN_BYTES}`);
    return fixedFrame(
      'auth',
      0,
      req.id,
      3 + token.length,
      (w) => {
        w.u8(req.peer ? 1 : 0);
        w.u16(token.length);
        w.bytes(token);
      },
      maxFrameBytes,
    );
  }
  if (req.op === 'get-prefix') {
    const keys = req.keys;
    if (!Number.isInteger(req.l2WaitMs) || req.l2WaitMs < 0 || req.l2WaitMs > 0xffffffff)
      throw new RangeError(`l2WaitMs ${req.l2WaitMs} is not a u32`);
    return fixedFrame(
      'get-prefix',
      0,
      req.id,
      8 + 8 * keys.length,
      (w) => {
        w.u32(req.l2WaitMs);
        w.u32(keys.length);
        for (const k of keys) w.key(k);
      },
      maxFrameBytes,
    );
  }
  if (req.op !== 'put') {
    const keys = req.keys;
    return fixedFrame(
      req.op,
      0,
      req.id,
      4 + 8 * keys.length,
      (w) => {
        w.u32(keys.length);
        for (const k of keys) w.key(k);
      },
      maxFrameBytes,
    );
  }
  return blocksFrame('put', 0, req.id, req.blocks, maxFrameBytes);
}

/** A frame whose body is `count` then (key, length, bytes) per block: a put, a get-prefix reply. */
function blocksFrame(
  op: 'put' | 'get-prefix',
  kind: 0 | 1,
  id: number,
  blocks: readonly WireBlock[],
  maxFrameBytes: number,
): Uint8Array[] {
  let body = 4;
  for (const b of blocks) body += 12 + payloadLength(b);
  checkFrameSize(FRAME_HEADER_BYTES + body, maxFrameBytes);
  const parts: Uint8Array[] = [];
  let w = frameHeader(op, kind, id, body, 4 + 12);
  w.u32(blocks.length);
  for (const [i, b] of blocks.entries()) {
    if (i > 0) w = new Writer(12);
    w.key(b.key);
    w.u32(payloadLength(b));
    // A block received split (a forwarded one) goes out as its received views, unjoined.
    parts.push(w.buf.subarray(0, w.at), ...payloadParts(b));
  }
  if (blocks.length === 0) parts.push(w.buf.subarray(0, w.at));
  return parts;
}

/** The frame of a reply, as parts (throws KV_FRAME_TOO_LARGE past `maxFrameBytes`). */
export function encodeReply(
  reply: BlockReply,
  maxFrameBytes = DEFAULT_MAX_FRAME_BYTES,
): Uint8Array[] {
  switch (reply.op) {
    case 'put':
      return fixedFrame(
        'put',
        1,
        reply.id,
        4 + reply.results.length,
        (w) => {
          w.u32(reply.results.length);
          for (const r of reply.results) w.u8(PUT_RESULTS.indexOf(r));
        },
        maxFrameBytes,
      );
    case 'exists':
    case 'delete':
      return fixedFrame(
        reply.op,
        1,
        reply.id,
        4 + reply.flags.length,
        (w) => {
          w.u32(reply.flags.length);
          for (const f of reply.flags) w.u8(f ? 1 : 0);
        },
        maxFrameBytes,
      );
    case 'longest-prefix':
      return fixedFrame('longest-prefix', 1, reply.id, 4, (w) => w.u32(reply.held), maxFrameBytes);
    case 'auth':
      return fixedFrame('auth', 1, reply.id, 0, () => undefined, maxFrameBytes);
    case 'get-prefix':
      return blocksFrame('get-prefix', 1, reply.id, reply.blocks, maxFrameBytes);
    case 'error': {
      let msg = new TextEncoder().encode(reply.message);
      if (msg.length > MAX_ERROR_MESSAGE_BYTES) msg = msg.subarray(0, MAX_ERROR_MESSAGE_BYTES);
      return fixedFrame(
        'error',
        1,
        reply.id,
        4 + msg.length,
        (w) => {
          w.u16(WIRE_ERROR_CODES[reply.code]);
          w.u16(msg.length);
          w.bytes(msg);
        },
        maxFrameBytes,
      );
    }
    case 'get': {
      let body = 4;
      for (const b of reply.blocks) body += b.status === 'hit' ? 13 + payloadLength(b) : 9;
      checkFrameSize(FRAME_HEADER_BYTES + body, maxFrameBytes);
      const parts: Uint8Array[] = [];
      let w = frameHeader('get', 1, reply.id, body, 4);
      w.u32(reply.blocks.length);
      for (const b of reply.blocks) {
        if (b.status !== 'hit') {
          if (w.at + 9 > w.buf.length) {
            if (w.at > 0) parts.push(w.buf.subarray(0, w.at));
            w = new Writer(9 * 64);
          }
          w.key(b.key);
          w.u8(GET_STATUSES.indexOf(b.status));
          continue;
        }
        if (w.at > 0) parts.push(w.buf.subarray(0, w.at));
        w = new Writer(13);
        w.key(b.key);
        w.u8(0);
        w.u32(payloadLength(b));
        parts.push(w.buf, ...payloadParts(b));
        w = new Writer(9 * 64);
      }
      if (w.at > 0) parts.push(w.buf.subarray(0, w.at));
      return parts;
    }
  }
}

/** One buffer holding all of `parts`. */
export function joinFrame(parts: readonly Uint8Array[]): Uint8Array {
  let total = 0;
  for (const p of parts) total += p.length;
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
