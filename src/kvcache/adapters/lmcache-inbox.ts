/**
 * What an LMCache connection has read and not yet consumed, and where its next socket read
 * should land: the unfilled rest of a PUT's store slot when nothing is queued ahead (the kernel
 * writes the payload where it stays), else a scratch buffer — only the rest of a header when one
 * is due, so the read after it starts at the payload. Bytes read into the scratch are queued as
 * a copy, since the scratch is read into again.
 */

/** Reads between PUT payloads land here. */
const SCRATCH_BYTES = 64 * 1024;

/** The connection's read queue (see the file comment). */
export class LmcacheInbox {
  private chunks: Buffer[] = [];
  private scratch: Uint8Array | undefined;
  private queued = 0;

  /** Bytes queued and not consumed. */
  get buffered(): number {
    return this.queued;
  }

  /** Queues a chunk the caller gives up (a 'data' event's). */
  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.queued += chunk.length;
  }

  /** Where the next read should land: `slot` (a PUT's unfilled rest), or the scratch. */
  readTarget(slot: Uint8Array | undefined, headerBytes: number | undefined): Uint8Array {
    if (slot !== undefined && slot.length > 0 && this.queued === 0) return slot;
    const scratch = (this.scratch ??= new Uint8Array(SCRATCH_BYTES));
    const headerLeft = headerBytes === undefined ? 0 : headerBytes - this.queued;
    return headerLeft > 0 ? scratch.subarray(0, headerLeft) : scratch;
  }

  /** `n` bytes landed in `buffer`: true when in place at the start of `slot`, else queued. */
  landed(n: number, buffer: Uint8Array, slot: Uint8Array | undefined): boolean {
    const inPlace =
      slot !== undefined &&
      this.queued === 0 &&
      buffer.buffer === slot.buffer &&
      buffer.byteOffset === slot.byteOffset &&
      n <= slot.length;
    if (inPlace) return true;
    const copy = Buffer.allocUnsafe(n);
    copy.set(buffer.subarray(0, n));
    this.push(copy);
    return false;
  }

  /** Consumes `n` queued bytes as one buffer. */
  take(n: number): Buffer {
    const out = Buffer.allocUnsafe(n);
    this.copyInto(out, 0, n);
    return out;
  }

  /** Consumes `n` queued bytes, copying them to `target` at `offset` (or dropping them). */
  copyInto(target: Uint8Array | undefined, offset: number, n: number): void {
    let left = n;
    let at = offset;
    while (left > 0) {
      const chunk = this.chunks[0];
      if (chunk === undefined) break;
      const k = Math.min(left, chunk.length);
      target?.set(chunk.subarray(0, k), at);
      at += k;
      left -= k;
      if (k === chunk.length) this.chunks.shift();
      else this.chunks[0] = chunk.subarray(k);
    }
    this.queued -= n;
  }

  /** Drops everything queued. */
  clear(): void {
    this.chunks = [];
    this.queued = 0;
  }
}
