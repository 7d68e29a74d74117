/**
 * The frame decoder both sides use: each frame body is copied as it arrives, and the pushed chunk
 * is never kept, so a caller may push the same buffer every time (a socket's `onread` buffer).
 * A body under SMALL_BODY_BYTES goes into one buffer of its size; a bigger one into pooled
 * segments (receive-pool.ts) taken as its bytes arrive, so a connection holds what it was sent,
 * never what a header merely declares. Block payloads come out as views of that memory: one
 * view, or the parts of a block that spans segments (received-bytes.ts).
 *
 * A frame is refused from its header when the magic, kind, op or reserved field is wrong or it
 * declares more than the frame bound; a body whose counts or lengths do not add up to exactly its
 * size is refused too. A refusal is final (the stream is out of step): the caller closes the
 * connection.
 *
 * A put the service may store at once (`StreamedPuts`: an authenticated connection with nothing
 * queued ahead) skips all this: its blocks go straight from the chunks into store slots
 * (put-stream.ts), and the message only carries their outcomes.
 */
import { FRAME_HEADER_BYTES, type PutResult } from './block-wire-format.js';
import { Fault, type FrameFault } from './block-wire-fault.js';
import {
  readFrameHeader,
  type DecodeResult,
  type FrameHeader,
  type MessageDecoder,
} from './block-wire-header.js';
import { Reader, uninitialised } from './block-wire-reader.js';
import { PutStream, type PutSink } from './put-stream.js';
import type { ReceivePool } from './receive-pool.js';

/** A service's puts stored as they arrive: where to, and the message that answers for them. */
export interface StreamedPuts<M> {
  readonly sink: PutSink;
  message(id: number, stored: PutResult[]): M;
}

/** Bodies smaller than this (every request but a put, most replies) get one exact buffer. */
const SMALL_BODY_BYTES = 64 * 1024;

/** Reads between bodies (headers, small frames) go to a scratch buffer this big. */
const SCRATCH_BYTES = 64 * 1024;

/** The copying frame decoder (see the file comment). */
export class CopyingFrameDecoder<M> implements MessageDecoder<M> {
  private readonly headerBytes = new Uint8Array(FRAME_HEADER_BYTES);
  /** Where reads land between bodies (readTarget); copied from at once. Taken on first use. */
  private scratch: Uint8Array | undefined;
  private headerFill = 0;
  private header: FrameHeader | undefined;
  /** The body so far: filled views of its buffer or segments, the last one being filled. */
  private body: Uint8Array[] = [];
  private target: Uint8Array | undefined;
  private targetFill = 0;
  private bodyFill = 0;
  private failed: { fault: FrameFault; reason: string } | undefined;
  private readonly kind: 0 | 1;
  private readonly parse: (op: FrameHeader['op'], id: number, r: Reader) => M;
  private readonly maxFrameBytes: number;
  private readonly maxKeys: number;
  private readonly pool: ReceivePool;
  private readonly puts: StreamedPuts<M> | undefined;
  /** The put frame being stored as it arrives (put-stream.ts), if this one is. */
  private stream: PutStream | undefined;

  constructor(
    kind: 0 | 1,
    parse: (op: FrameHeader['op'], id: number, r: Reader) => M,
    bounds: { readonly maxFrameBytes: number; readonly maxKeysPerFrame: number },
    pool: ReceivePool,
    puts?: StreamedPuts<M>,
  ) {
    this.kind = kind;
    this.parse = parse;
    this.maxFrameBytes = bounds.maxFrameBytes;
    this.maxKeys = bounds.maxKeysPerFrame;
    this.pool = pool;
    this.puts = puts;
  }

  get bufferedBytes(): number {
    return this.header === undefined ? this.headerFill : FRAME_HEADER_BYTES + this.bodyFill;
  }

  /**
   * Where the socket's next read should land (a socket `onread` buffer function): inside a body,
   * the rest of its current segment (up to the body's end), so the kernel writes the bytes where
   * they stay and `push` copies nothing; inside a put stored as it arrives, the block's store
   * slot (put-stream.ts); between bodies, a scratch buffer that `push` copies from.
   */
  readTarget(): Uint8Array {
    const scratch = (this.scratch ??= new Uint8Array(SCRATCH_BYTES));
    if (this.failed !== undefined) return scratch;
    if (this.stream !== undefined) return this.stream.readTarget(scratch);
    const total = this.header?.body ?? 0;
    if (this.bodyFill >= total) return scratch;
    const target = this.bodyTarget(total);
    return target.subarray(this.targetFill, this.targetFill + this.roomIn(target, total));
  }

  /** Frees what a frame cut off mid-way holds in the store (a put being stored). */
  dispose(): void {
    this.stream?.abort();
    this.stream = undefined;
  }

  /** Feeds one chunk; nothing of it is referenced after this returns. */
  push(chunk: Uint8Array): DecodeResult<M> {
    const messages: M[] = [];
    if (this.failed !== undefined) return { ok: false, messages, ...this.failed };
    let at = 0;
    try {
      for (;;) {
        if (this.header === undefined) {
          const n = Math.min(FRAME_HEADER_BYTES - this.headerFill, chunk.length - at);
          this.headerBytes.set(chunk.subarray(at, at + n), this.headerFill);
          this.headerFill += n;
          at += n;
          if (this.headerFill < FRAME_HEADER_BYTES) break;
          this.headerFill = 0;
          this.header = readFrameHeader(this.headerBytes, this.kind, this.maxFrameBytes);
          this.bodyFill = 0;
          if (this.header.op === 'put' && this.puts?.sink.accept() === true)
            this.stream = new PutStream(this.header.body, this.puts.sink, this.maxKeys);
        }
        if (this.stream !== undefined && this.puts !== undefined) {
          const from = at;
          at = this.stream.feed(chunk, at);
          this.bodyFill += at - from;
          if (this.stream.remaining > 0) break;
          messages.push(this.puts.message(this.header.id, this.stream.outcomes()));
          this.stream = undefined;
          this.header = undefined;
          continue;
        }
        at = this.fill(chunk, at, this.header.body);
        if (this.bodyFill < this.header.body) break;
        const { op, id } = this.header;
        const reader = new Reader(this.body, this.maxKeys);
        this.header = undefined;
        this.body = [];
        const message = this.parse(op, id, reader);
        reader.end();
        messages.push(message);
      }
    } catch (err) {
      if (!(err instanceof Fault)) throw err;
      this.failed = { fault: err.fault, reason: err.message };
      this.dispose();
      this.header = undefined;
      this.body = [];
      this.target = undefined;
      return { ok: false, messages, ...this.failed };
    }
    return { ok: true, messages };
  }

  /** Copies what `chunk` holds of a `total`-byte body from `at` on; returns where it stopped. */
  private fill(chunk: Uint8Array, at: number, total: number): number {
    while (this.bodyFill < total && at < chunk.length) {
      const target = this.bodyTarget(total);
      const room = this.roomIn(target, total);
      const n = Math.min(room, chunk.length - at);
      // A read that landed in place (readTarget) is already there: nothing to copy.
      const inPlace =
        chunk.buffer === target.buffer &&
        chunk.byteOffset + at === target.byteOffset + this.targetFill;
      if (!inPlace) target.set(chunk.subarray(at, at + n), this.targetFill);
      this.targetFill += n;
      this.bodyFill += n;
      at += n;
      if (n === room) {
        this.body.push(target.subarray(0, this.targetFill));
        this.target = undefined;
      }
    }
    return at;
  }

  /** Bytes of a `total`-byte body that still go to `target` (its rest, up to the body's end). */
  private roomIn(target: Uint8Array, total: number): number {
    return Math.min(target.length - this.targetFill, total - this.bodyFill);
  }

  /** The buffer or segment the body's next bytes go to, taken when the previous one is full. */
  private bodyTarget(total: number): Uint8Array {
    if (this.target === undefined) {
      // One exact buffer for a small body, else a segment: memory follows the bytes received.
      this.target = total < SMALL_BODY_BYTES ? uninitialised(total) : this.pool.take();
      this.targetFill = 0;
    }
    return this.target;
  }
}
