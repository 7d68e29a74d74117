/**
 * A put frame's body stored as it arrives: at each block's header the service reserves its slot
 * (BlockStore.reserve), the socket reads the block's bytes straight into it (`readTarget`; a
 * chunk read elsewhere is copied in) and the block commits at its end — no copy of a block's
 * bytes in the process, where decoding the frame whole first made two (chunk → receive segment
 * → slab). Layout and checks are the put body's (block-wire-format.ts, -parse.ts): a
 * count that cannot fit, a key above 2^53 − 1, a length past the body or bytes left over refuse
 * the frame; the blocks already committed stay (each is whole), the one being written is
 * aborted. The decoder only streams a put when its sink accepts it (an authenticated connection
 * with nothing queued ahead), so no block is stored before the connection's auth or out of order.
 */
import type { BlockKey } from './eviction-policy.js';
import { Fault } from './block-wire-fault.js';
import type { PutResult } from './block-wire-format.js';
import { Reader } from './block-wire-reader.js';
import type { PutRoom } from './put-room.js';

/** Where streamed puts go (the block service's store). */
export interface PutSink {
  /** Whether a put frame starting now may be stored as it arrives (else it is decoded whole). */
  accept(): boolean;
  /** Room for one block, or what became of it without one (`present`, `no-room`, `too-large`). */
  reserve(key: BlockKey, length: number): PutRoom | PutResult;
}

/** Bytes of the count, and of each block's key + length. */
const COUNT_BYTES = 4;
const BLOCK_HEAD_BYTES = 12;

/** One put body being stored (see the file comment). */
export class PutStream {
  private left: number;
  private count = -1;
  private readonly results: PutResult[] = [];
  private readonly head = new Uint8Array(BLOCK_HEAD_BYTES);
  private headFill = 0;
  /** The block being received: its room (undefined when it is skipped), bytes still to come. */
  private room: PutRoom | undefined;
  private skipped: PutResult = 'stored';
  private blockLeft = -1;
  private readonly sink: PutSink;
  private readonly maxKeys: number;

  constructor(bodyBytes: number, sink: PutSink, maxKeys: number) {
    this.left = bodyBytes;
    this.sink = sink;
    this.maxKeys = maxKeys;
  }

  /** Body bytes not received yet. */
  get remaining(): number {
    return this.left;
  }

  /** Each block's outcome, in order, once the body is complete. */
  outcomes(): PutResult[] {
    if (this.left !== 0 || this.results.length !== this.count || this.blockLeft >= 0)
      throw new Fault('length-mismatch', 'put body ended inside a block');
    return this.results;
  }

  /**
   * Where the next socket read should land: the rest of the block's slot (the kernel writes the
   * bytes where they stay: no copy at all), exactly the field being read (so the next read starts
   * at a block's bytes), or for a block not stored, `scratch` up to that block's end.
   */
  readTarget(scratch: Uint8Array): Uint8Array {
    if (this.blockLeft > 0) {
      const target = this.room?.target;
      if (target === undefined)
        return scratch.subarray(0, Math.min(this.blockLeft, scratch.length));
      return target.subarray(target.length - this.blockLeft);
    }
    const need = this.count < 0 ? COUNT_BYTES : BLOCK_HEAD_BYTES;
    return this.head.subarray(this.headFill, Math.min(need, this.headFill + this.left));
  }

  /** Takes what `chunk` holds of the body from `at` on; returns where it stopped. */
  feed(chunk: Uint8Array, at: number): number {
    while (at < chunk.length && this.left > 0) {
      if (this.blockLeft >= 0) at = this.blockBytes(chunk, at);
      else at = this.headBytes(chunk, at);
    }
    if (this.left === 0) this.outcomes(); // throws if the body ended early
    return at;
  }

  /** Frees the slot of a block cut off mid-way (a refused frame, a closed connection). */
  abort(): void {
    this.room?.abort();
    this.room = undefined;
  }

  private blockBytes(chunk: Uint8Array, at: number): number {
    const n = Math.min(this.blockLeft, chunk.length - at);
    if (this.room !== undefined && n > 0) {
      const target = this.room.target;
      const offset = target.length - this.blockLeft;
      // A read that landed in the slot itself (readTarget) is already there.
      const inPlace =
        chunk.buffer === target.buffer && chunk.byteOffset + at === target.byteOffset + offset;
      if (!inPlace) target.set(chunk.subarray(at, at + n), offset);
    }
    this.blockLeft -= n;
    this.left -= n;
    if (this.blockLeft === 0) this.endBlock();
    return at + n;
  }

  private headBytes(chunk: Uint8Array, at: number): number {
    const need = this.count < 0 ? COUNT_BYTES : BLOCK_HEAD_BYTES;
    if (this.count >= 0 && this.results.length === this.count)
      throw new Fault('length-mismatch', `${this.left} bytes left after the last block`);
    const n = Math.min(need - this.headFill, chunk.length - at, this.left);
    this.head.set(chunk.subarray(at, at + n), this.headFill);
    this.headFill += n;
    this.left -= n;
    if (this.headFill < need) {
      if (this.left === 0) throw new Fault('length-mismatch', 'put body ends inside a field');
      return at + n;
    }
    this.headFill = 0;
    // The whole-frame parser's reads, over just this field: the same checks and messages.
    const field = new Reader(this.head.subarray(0, need), this.maxKeys);
    if (this.count < 0) this.readCount(field);
    else this.startBlock(field);
    return at + n;
  }

  private readCount(field: Reader): void {
    const count = field.u32('a count');
    if (count > this.maxKeys)
      throw new Fault('too-many-keys', `${count} items exceed the ${this.maxKeys} per frame`);
    if (count * BLOCK_HEAD_BYTES > this.left)
      throw new Fault('length-mismatch', `${count} items cannot fit in the rest of the body`);
    this.count = count;
  }

  private startBlock(field: Reader): void {
    const key = field.key();
    const length = field.u32('a block length');
    if (length > this.left) throw new Fault('length-mismatch', 'frame body ends inside a block');
    const room = this.sink.reserve(key, length);
    if (typeof room === 'string') this.skipped = room;
    else this.room = room;
    this.blockLeft = length;
    if (length === 0) this.endBlock();
  }

  private endBlock(): void {
    this.results.push(this.room === undefined ? this.skipped : this.room.commit());
    this.room = undefined;
    this.blockLeft = -1;
  }
}
