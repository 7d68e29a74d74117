/**
 * Block payloads as the decoder received them. A block that arrived split over several socket
 * chunks is handed out as an object whose `bytes` is joined into one buffer only on first read
 * (then kept), while `payloadParts` gives the received views without copying: the block service
 * stores a put straight from them into its slab (one copy in all, where joining first made two).
 *
 * Lifetime: the parts are views of the chunks the socket delivered; Node never reuses a socket
 * chunk's memory, and the decoder never writes to what it was given, so a payload stays valid
 * after later frames arrive. A caller that pushes its own buffers must not modify them afterwards.
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
