/**
 * Encodes native KV block frames (layout in block-wire-format.ts). An encoded frame is a list of
 * parts, not one buffer: block payloads are passed through as they are (a pinned store view, a
 * client's buffer), so a socket can gather-write them without copying; `joinFrame` makes one
 * buffer of them where a copy does not matter.
 */
import { AppError } from '../shared/index.js';
import type { BlockKey } from './eviction-policy.js';
import {
  DEFAULT_MAX_FRAME_BYTES,
  FRAME_HEADER_BYTES,
  FRAME_MAGIC,
  GET_STATUSES,
  MAX_ERROR_MESSAGE_BYTES,
  MAX_TOKEN_BYTES,
  OP_CODES,
  PUT_RESULTS,
  WIRE_ERROR_CODES,
  type BlockOp,
  type BlockReply,
  type BlockRequest,
  type WireBlock,
} from './block-wire-format.js';
import { payloadLength, payloadParts } from './received-bytes.js';

/** Writes little-endian fields into one small buffer. */
class Writer {
  readonly buf: Uint8Array;
  private readonly view: DataView;
  at = 0;
  constructor(size: number) {
    this.buf = new Uint8Array(size);
    this.view = new DataView(this.buf.buffer);
  }
  u8(v: number): void {
    this.view.setUint8(this.at, v);
    this.at += 1;
  }
  u16(v: number): void {
    this.view.setUint16(this.at, v, true);
    this.at += 2;
  }
  u32(v: number): void {
    this.view.setUint32(this.at, v, true);
    this.at += 4;
  }
  key(k: BlockKey): void {
    if (!Number.isSafeInteger(k) || k < 0)
      throw new RangeError(`block key ${k} is not a 52-bit hash`);
    this.u32(k % 0x100000000);
    this.u32(Math.floor(k / 0x100000000));
  }
  bytes(b: Uint8Array): void {
    this.buf.set(b, this.at);
    this.at += b.length;
  }
}

function header(op: BlockOp, kind: 0 | 1, id: number, bodyBytes: number, extra: number): Writer {
  if (!Number.isInteger(id) || id < 0 || id > 0xffffffff)
    throw new RangeError(`request id ${id} is not a u32`);
  const w = new Writer(FRAME_HEADER_BYTES + extra);
  w.bytes(FRAME_MAGIC);
  w.u32(bodyBytes);
  w.u8(OP_CODES[op]);
  w.u8(kind);
  w.u16(0);
  w.u32(id);
  return w;
}

function checkSize(total: number, maxFrameBytes: number): void {
  if (total > maxFrameBytes)
    throw new AppError(
      'KV_FRAME_TOO_LARGE',
      `frame of ${total} bytes exceeds the ${maxFrameBytes}-byte bound; split the batch`,
      { detail: { bytes: total, maxFrameBytes } },
    );
}

/** A frame whose body is `count` then one fixed-size record per item. */
function fixedFrame(
  op: BlockOp,
  kind: 0 | 1,
  id: number,
  body: number,
  fill: (w: Writer) => void,
  maxFrameBytes: number,
): Uint8Array[] {
  checkSize(FRAME_HEADER_BYTES + body, maxFrameBytes);
  const w = header(op, kind, id, body, body);
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
  checkSize(FRAME_HEADER_BYTES + body, maxFrameBytes);
  const parts: Uint8Array[] = [];
  let w = header(op, kind, id, body, 4 + 12);
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
      checkSize(FRAME_HEADER_BYTES + body, maxFrameBytes);
      const parts: Uint8Array[] = [];
      let w = header('get', 1, reply.id, body, 4);
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
