/**
 * Block payloads as the decoder received them. A block that spans several receive segments
 * (receive-pool.ts) is handed out as an object whose `bytes` is joined into one buffer only on
 * first read (then kept), while `payloadParts` gives the segment views without copying: the block
 * service stores a put straight from them into its slab, and a client recycles a reply by them.
 *
 * Lifetime: the parts are views of segments the decoder filled; they stay valid until whoever
 * holds the message gives its segments back to the pool (never, unless it chooses to).
 */
import { joinParts } from './block-wire-reader.js';

const SPLIT = new WeakMap<object, readonly Uint8Array[]>();

/**
 * `fields` plus a `bytes` property for a payload received as `parts`: the view itself when one
 * part holds it, else an enumerable getter that joins the parts once.
 */
export function withPayload<T extends object>(
  fields: T,
  parts: readonly Uint8Array[],
): T & { readonly bytes: Uint8Array } {
  if (parts.length <= 1) return { ...fields, bytes: parts[0] ?? new Uint8Array(0) };
  let total = 0;
  for (const p of parts) total += p.length;
  let joined: Uint8Array | undefined;
  const out = { ...fields } as T & { readonly bytes: Uint8Array };
  Object.defineProperty(out, 'bytes', {
    enumerable: true,
    get: () => (joined ??= joinParts(parts, total)),
  });
  SPLIT.set(out, parts);
  return out;
}

/**
 * A block's payload as views, without joining: the received parts when it arrived split, else
 * `[block.bytes]`. Their lengths add up to the block's length.
 */
export function payloadParts(block: { readonly bytes: Uint8Array }): readonly Uint8Array[] {
  return SPLIT.get(block) ?? [block.bytes];
}

/** A payload's length, without joining it. */
export function payloadLength(block: { readonly bytes: Uint8Array }): number {
  const parts = SPLIT.get(block);
  if (parts === undefined) return block.bytes.length;
  let total = 0;
  for (const p of parts) total += p.length;
  return total;
}
