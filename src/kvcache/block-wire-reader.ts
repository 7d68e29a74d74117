/**
 * Bounds-checked little-endian reads over one native KV frame body held as the list of views it
 * was received into (block-wire-copy-decoder.ts: one buffer, or pooled segments). A field that
 * straddles two segments is assembled in a small scratch; a block payload comes out as the views
 * it spans (`parts`), never copied here: the store copies it once, into its slab, and a client
 * joins it only when asked (received-bytes.ts).
 */
import type { BlockKey } from './eviction-policy.js';
import { Fault } from './block-wire-fault.js';

/** Reads over one frame body (see the file comment). */
export class Reader {
  private readonly segments: readonly Uint8Array[];
  private readonly views: (DataView | undefined)[];
  private readonly maxKeys: number;
  private readonly scratch = new Uint8Array(8);
  private readonly scratchView = new DataView(this.scratch.buffer);
  /** Index of the segment the next byte is in, and the offset there. */
  private seg = 0;
  private off = 0;
  private left: number;

  constructor(body: Uint8Array | readonly Uint8Array[], maxKeys: number) {
    this.segments = (body instanceof Uint8Array ? [body] : body).filter((s) => s.length > 0);
    this.views = new Array<DataView | undefined>(this.segments.length);
    this.maxKeys = maxKeys;
    this.left = this.segments.reduce((n, s) => n + s.length, 0);
  }

  /** Body bytes not read yet. */
  get remaining(): number {
    return this.left;
  }

  need(n: number, what: string): void {
    if (n > this.left) throw new Fault('length-mismatch', `frame body ends inside ${what}`);
  }

  u8(what: string): number {
    const [view, at] = this.field(1, what);
    return view.getUint8(at);
  }
  u16(what: string): number {
    const [view, at] = this.field(2, what);
    return view.getUint16(at, true);
  }
  u32(what: string): number {
    const [view, at] = this.field(4, what);
    return view.getUint32(at, true);
  }

  /** A count whose items take at least `minBytes` each: refused before any array is built. */
  count(minBytes: number): number {
    const n = this.u32('a count');
    if (n > this.maxKeys)
      throw new Fault('too-many-keys', `${n} items exceed the ${this.maxKeys} per frame`);
    if (n * minBytes > this.left)
      throw new Fault('length-mismatch', `${n} items cannot fit in the rest of the body`);
    return n;
  }

  key(): BlockKey {
    const lo = this.u32('a key');
    const hi = this.u32('a key');
    if (hi > 0x1fffff) throw new Fault('bad-key', 'block key above 2^53 - 1');
    return hi * 0x100000000 + lo;
  }

  /** The next `n` bytes as the received views they span (no copy); [] for n = 0. */
  parts(n: number, what: string): Uint8Array[] {
    this.need(n, what);
    const out: Uint8Array[] = [];
    let want = n;
    while (want > 0) {
      const s = this.segments[this.seg] as Uint8Array;
      const k = Math.min(want, s.length - this.off);
      out.push(s.subarray(this.off, this.off + k));
      this.advance(k);
      want -= k;
    }
    return out;
  }

  /** The next `n` bytes in one buffer: a view when one chunk holds them, else a copy. */
  bytes(n: number, what: string): Uint8Array {
    const parts = this.parts(n, what);
    if (parts.length === 1) return parts[0] as Uint8Array;
    return joinParts(parts, n);
  }

  end(): void {
    if (this.left !== 0)
      throw new Fault('length-mismatch', `${this.left} bytes left after the last field`);
  }

  /** A view and offset to read an `n`-byte field at (≤ 8 bytes), and moves past it. */
  private field(n: number, what: string): [DataView, number] {
    this.need(n, what);
    const s = this.segments[this.seg] as Uint8Array;
    if (s.length - this.off >= n) {
      let view = this.views[this.seg];
      if (view === undefined) {
        view = new DataView(s.buffer, s.byteOffset, s.byteLength);
        this.views[this.seg] = view;
      }
      const at = this.off;
      this.advance(n);
      return [view, at];
    }
    // The field straddles chunks: gather it (rare: at most once per chunk boundary).
    let at = 0;
    for (const p of this.parts(n, what)) {
      this.scratch.set(p, at);
      at += p.length;
    }
    return [this.scratchView, 0];
  }

  private advance(n: number): void {
    this.left -= n;
    this.off += n;
    while (this.seg < this.segments.length && this.off === this.segments[this.seg]?.length) {
      this.views[this.seg] = undefined;
      this.seg++;
      this.off = 0;
    }
  }
}

/**
 * `n` bytes of uninitialised memory, for a caller that writes every byte before reading any
 * (allocUnsafe: zero-filling first is wasted work), as a plain Uint8Array view, as every other
 * decoded payload is (a Buffer would serialise apart).
 */
export function uninitialised(n: number): Uint8Array {
  const b = Buffer.allocUnsafe(n);
  return new Uint8Array(b.buffer, b.byteOffset, n);
}

/** One buffer holding `parts` (`total` bytes). */
export function joinParts(parts: readonly Uint8Array[], total: number): Uint8Array {
  const out = uninitialised(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
