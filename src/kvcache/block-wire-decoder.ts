/**
 * The incremental decoder of native KV block frames (layout in block-wire-format.ts): bytes go
 * in at whatever chunk boundaries the TCP stream gives, whole messages come out. A frame is
 * refused from its header when the magic, kind, op or reserved field is wrong or it declares
 * more than the frame bound, so a hostile length is never buffered; a body whose counts or
 * lengths do not add up to exactly its size is refused too. A refusal is final (the stream is
 * out of step): the caller closes that connection, and the decoder holds at most one frame.
 *
 * No copy: a complete body is parsed from views of the chunks it arrived in (block-wire-reader.ts)
 * and block payloads come out as those views (received-bytes.ts); only a header or a small field
 * that straddles two chunks is copied. Joining a 32-block body into one fresh 64 MiB buffer used
 * to dominate the service's CPU time (a zero-filled allocation plus a copy per frame). The
 * decoder never writes to a pushed chunk, and the caller must not either once it is pushed.
 */
import {
  DEFAULT_MAX_FRAME_BYTES,
  DEFAULT_MAX_KEYS_PER_FRAME,
  FRAME_HEADER_BYTES,
  FRAME_MAGIC,
  OP_CODES,
  type BlockOp,
  type BlockReply,
  type BlockRequest,
} from './block-wire-format.js';
import { Fault, type FrameFault } from './block-wire-fault.js';
import { parseReply, parseRequest } from './block-wire-parse.js';
import { Reader, joinParts } from './block-wire-reader.js';

export type { FrameFault } from './block-wire-fault.js';

/**
 * A body whose received chunks average fewer bytes than this is joined into one buffer: views
 * of a stream sent a few bytes at a time would cost far more memory than the bytes they hold.
 * Loopback and real networks deliver chunks of tens of KiB, which stay views.
 */
const MIN_MEAN_PART_BYTES = 4096;

const OPS = new Map<number, BlockOp>(Object.entries(OP_CODES).map(([k, v]) => [v, k as BlockOp]));

/** What one push produced: the messages completed, and the refusal if the stream went bad. */
export type DecodeResult<M> =
  | { readonly ok: true; readonly messages: M[] }
  | {
      readonly ok: false;
      readonly messages: M[];
      readonly fault: FrameFault;
      readonly reason: string;
    };

/** Decoder bounds; the side decides which kind of frame it accepts. */
export interface DecoderOptions {
  readonly maxFrameBytes?: number;
  readonly maxKeysPerFrame?: number;
}

/**
 * The incremental frame decoder (see the file comment); `M` is what this side accepts. Build
 * one with createRequestDecoder or createReplyDecoder.
 */
export class FrameDecoder<M> {
  private chunks: Uint8Array[] = [];
  private buffered = 0;
  private header: { op: BlockOp; id: number; body: number } | undefined;
  private failed: { fault: FrameFault; reason: string } | undefined;
  private readonly maxFrameBytes: number;
  private readonly maxKeys: number;
  private readonly kind: 0 | 1;
  private readonly parse: (op: BlockOp, id: number, r: Reader) => M;

  constructor(
    kind: 0 | 1,
    parse: (op: BlockOp, id: number, r: Reader) => M,
    options: DecoderOptions,
  ) {
    this.kind = kind;
    this.parse = parse;
    this.maxFrameBytes = options.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES;
    this.maxKeys = options.maxKeysPerFrame ?? DEFAULT_MAX_KEYS_PER_FRAME;
  }

  /** Bytes held waiting for the rest of a frame (≤ one frame). */
  get bufferedBytes(): number {
    return this.buffered + (this.header === undefined ? 0 : FRAME_HEADER_BYTES);
  }

  /** Feeds one chunk of the stream. */
  push(chunk: Uint8Array): DecodeResult<M> {
    const messages: M[] = [];
    if (this.failed !== undefined) return { ok: false, messages, ...this.failed };
    if (chunk.length > 0) {
      const last = this.chunks.length - 1;
      const tail = this.chunks[last];
      // Tiny chunks are merged as they come, so a trickling sender cannot make us hold one
      // object per byte while a frame completes.
      if (
        tail !== undefined &&
        chunk.length < MIN_MEAN_PART_BYTES &&
        tail.length < MIN_MEAN_PART_BYTES
      )
        this.chunks[last] = joinParts([tail, chunk], tail.length + chunk.length);
      else this.chunks.push(chunk);
      this.buffered += chunk.length;
    }
    try {
      for (;;) {
        if (this.header === undefined) {
          if (this.buffered < FRAME_HEADER_BYTES) break;
          this.header = this.readHeader(this.take(FRAME_HEADER_BYTES));
        }
        if (this.buffered < this.header.body) break;
        const { op, id, body } = this.header;
        this.header = undefined;
        const reader = new Reader(this.takeParts(body), this.maxKeys);
        const message = this.parse(op, id, reader);
        reader.end();
        messages.push(message);
      }
    } catch (err) {
      if (!(err instanceof Fault)) throw err;
      this.failed = { fault: err.fault, reason: err.message };
      this.chunks = [];
      this.buffered = 0;
      return { ok: false, messages, ...this.failed };
    }
    return { ok: true, messages };
  }

  private readHeader(h: Uint8Array): { op: BlockOp; id: number; body: number } {
    for (let i = 0; i < FRAME_MAGIC.length; i++)
      if (h[i] !== FRAME_MAGIC[i])
        throw new Fault('bad-magic', 'not a native KV block frame (bad magic or version)');
    const view = new DataView(h.buffer, h.byteOffset, h.byteLength);
    const body = view.getUint32(4, true);
    if (FRAME_HEADER_BYTES + body > this.maxFrameBytes)
      throw new Fault(
        'frame-too-large',
        `frame of ${FRAME_HEADER_BYTES + body} bytes exceeds the ${this.maxFrameBytes}-byte bound`,
      );
    const op = OPS.get(view.getUint8(8));
    if (op === undefined) throw new Fault('unknown-op', `unknown op ${view.getUint8(8)}`);
    const kind = view.getUint8(9);
    if (kind !== this.kind)
      throw new Fault(
        'bad-kind',
        kind > 1
          ? `frame kind ${kind} is not defined`
          : `a ${kind === 0 ? 'request' : 'reply'} where a ${this.kind === 0 ? 'request' : 'reply'} was expected`,
      );
    if (view.getUint16(10, true) !== 0)
      throw new Fault('bad-reserved', 'reserved header field is not 0');
    return { op, id: view.getUint32(12, true), body };
  }

  /** The next `n` buffered bytes as views of the chunks they span (joined if very fragmented). */
  private takeParts(n: number): Uint8Array[] {
    this.buffered -= n;
    const parts: Uint8Array[] = [];
    let want = n;
    let used = 0; // whole chunks consumed, dropped in one splice (not one shift per chunk)
    while (want > 0) {
      const c = this.chunks[used] as Uint8Array;
      const k = Math.min(c.length, want);
      parts.push(k === c.length ? c : c.subarray(0, k));
      want -= k;
      if (k === c.length) used++;
      else this.chunks[used] = c.subarray(k);
    }
    this.chunks.splice(0, used);
    if (parts.length > 1 && parts.length * MIN_MEAN_PART_BYTES > n) return [joinParts(parts, n)];
    return parts;
  }

  /** The next `n` buffered bytes: a view when one chunk holds them, else a copy. */
  private take(n: number): Uint8Array {
    this.buffered -= n;
    const first = this.chunks[0];
    if (first !== undefined && first.length >= n) {
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
      return first.subarray(0, n);
    }
    const out = new Uint8Array(n);
    let at = 0;
    while (at < n) {
      const c = this.chunks[0] as Uint8Array;
      const k = Math.min(c.length, n - at);
      out.set(c.subarray(0, k), at);
      at += k;
      if (k === c.length) this.chunks.shift();
      else this.chunks[0] = c.subarray(k);
    }
    return out;
  }
}

/** A decoder for the server side: accepts request frames only. */
export function createRequestDecoder(options: DecoderOptions = {}): FrameDecoder<BlockRequest> {
  return new FrameDecoder<BlockRequest>(0, parseRequest, options);
}

/** A decoder for the client side: accepts reply frames only. */
export function createReplyDecoder(options: DecoderOptions = {}): FrameDecoder<BlockReply> {
  return new FrameDecoder<BlockReply>(1, parseReply, options);
}
