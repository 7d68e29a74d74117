/**
 * What an LMCache connection has read and not yet consumed, and where its next socket read
 * should land: the unfilled rest of a PUT's store slot when nothing is queued ahead (the kernel
 * writes the payload where it stays), else a scratch buffer — only as much of it as the
 * connection can take without queueing (the rest of a header, of a payload being dropped), so
 * the read after it starts at the next part. Bytes queued from the scratch are copied, since the
 * scratch is read into again.
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

  /**
   * Where the next read should land: `slot` (a PUT's unfilled rest) when nothing is queued, else
   * the scratch, cut to `wanted` bytes when that is more than nothing (what comes next is known).
   */
  readTarget(slot: Uint8Array | undefined, wanted: number): Uint8Array {
    if (slot !== undefined && slot.length > 0 && this.queued === 0) return slot;
    const scratch = (this.scratch ??= new Uint8Array(SCRATCH_BYTES));
    return wanted > 0 ? scratch.subarray(0, Math.min(wanted, SCRATCH_BYTES)) : scratch;
  }

  /**
   * Takes `n` bytes that landed in `buffer`; returns how many were payload bytes taken where
   * they landed (up to `payloadLeft`, with nothing queued ahead): in place at the start of
   * `slot`, or dropped when the payload is not kept (`slot` undefined). The rest is queued.
   */
  landed(n: number, buffer: Uint8Array, payloadLeft: number, slot: Uint8Array | undefined) {
    const inPlace =
      slot === undefined ||
      (buffer.buffer === slot.buffer && buffer.byteOffset === slot.byteOffset);
    const taken = this.queued === 0 && inPlace ? Math.min(n, payloadLeft) : 0;
    if (taken < n) {
      const copy = Buffer.allocUnsafe(n - taken);
      copy.set(buffer.subarray(taken, n));
      this.push(copy);
    }
    return taken;
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
