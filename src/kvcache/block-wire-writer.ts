/**
 * The native KV frame encoder's writes (block-wire.ts): little-endian fields into one small
 * buffer, a frame's header, and the frame size bound. The reads are block-wire-reader.ts.
 */
import { AppError } from '../shared/index.js';
import type { BlockKey } from './eviction-policy.js';
import { FRAME_HEADER_BYTES, FRAME_MAGIC, OP_CODES, type BlockOp } from './block-wire-format.js';

/** Writes little-endian fields into one small buffer. */
export class Writer {
  readonly buf: Uint8Array;
  private readonly view: DataView;
  at = 0;
  /** A zeroed buffer of `size` bytes, written from its start. */
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

/**
 * A writer holding a frame's header (magic, body length, op, kind, request id) with room for
 * `extra` more bytes; throws RangeError for an id that is not a u32.
 */
export function frameHeader(
  op: BlockOp,
  kind: 0 | 1,
  id: number,
  bodyBytes: number,
  extra: number,
): Writer {
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

/** Throws KV_FRAME_TOO_LARGE when a frame of `total` bytes is past `maxFrameBytes`. */
export function checkFrameSize(total: number, maxFrameBytes: number): void {
  if (total > maxFrameBytes)
    throw new AppError(
      'KV_FRAME_TOO_LARGE',
      `frame of ${total} bytes exceeds the ${maxFrameBytes}-byte bound; split the batch`,
      { detail: { bytes: total, maxFrameBytes } },
    );
}
