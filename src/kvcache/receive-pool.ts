/**
 * Reusable memory for received frame bodies, in fixed-size segments. A decoder copies a body
 * into segments taken as its bytes arrive (so a connection holds no more than it was sent); a
 * caller done with a message (the service after storing a put; a client that copied a reply's
 * blocks on) gives the segments back, and the next frames are received into them.
 *
 * Why: a 32-block frame is 64 MiB. Kept as the socket's own chunks until it completes, ~1,000
 * chunks outlived the young generation and cost the collector more than the reads; copied into
 * fresh memory, every page came from the kernel a fault and a zero-fill at a time. Reused
 * segments cost one copy (≈ 60 ms per GB here) and nothing else. A caller that never gives back
 * only loses the reuse: its segments are freed by the collector as any buffer.
 *
 * Bounded: at most `maxPooledBytes` wait for reuse; the rest is left to the collector.
 */

/** Segment size: a 2 MiB block spans two or three, which the store and the codecs take as parts. */
export const SEGMENT_BYTES = 1 << 20;

/** The pool of body segments (see the file comment). */
export class ReceivePool {
  private readonly free: ArrayBuffer[] = [];
  /** Segments handed out and not yet given back: only these may come back, each once. */
  private readonly lent = new WeakSet<ArrayBuffer>();
  private readonly maxFree: number;
  #fresh = 0;
  #reused = 0;

  constructor(options: { readonly maxPooledBytes: number }) {
    this.maxFree = Math.floor(options.maxPooledBytes / SEGMENT_BYTES);
  }

  /** Segments taken as fresh memory so far. */
  get freshTotal(): number {
    return this.#fresh;
  }

  /** Segments taken again after being given back so far. */
  get reusedTotal(): number {
    return this.#reused;
  }

  /** Bytes waiting for reuse. */
  get pooledBytes(): number {
    return this.free.length * SEGMENT_BYTES;
  }

  /** One SEGMENT_BYTES segment, uninitialised: a given-back one when any waits. */
  take(): Uint8Array {
    let buffer = this.free.pop();
    if (buffer !== undefined) this.#reused++;
    else {
      // allocUnsafe: every byte is written before it is read. Its own ArrayBuffer at this size.
      buffer = Buffer.allocUnsafe(SEGMENT_BYTES).buffer;
      this.#fresh++;
    }
    this.lent.add(buffer);
    return new Uint8Array(buffer, 0, SEGMENT_BYTES);
  }

  /**
   * Gives back the segments `views` lie in. Only segments this pool handed out are taken, each
   * once; anything else is ignored. The caller must be done with every view of those segments:
   * all the blocks of one message share them.
   */
  give(views: Iterable<Uint8Array>): void {
    for (const view of views) {
      const buffer = view.buffer;
      if (!(buffer instanceof ArrayBuffer) || !this.lent.has(buffer)) continue;
      this.lent.delete(buffer);
      if (this.free.length < this.maxFree) this.free.push(buffer);
    }
  }
}
