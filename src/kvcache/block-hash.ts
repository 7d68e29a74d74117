/**
 * Chained block hashes over token ids, as vLLM's prefix cache keys its KV blocks: the hash of
 * block i covers the parent hash and the block's tokens, so equal hashes mean equal prefixes.
 * The trailing partial block is not hashed (it cannot be shared).
 *
 * The hash is a 52-bit number built from two murmur3-style 32-bit lanes, so it is a plain JS
 * number (a fast Map key) with a negligible collision rate at the index sizes we keep.
 */

/** KV block size of the simulator and vLLM's default, in tokens. */
export const DEFAULT_BLOCK_SIZE_TOKENS = 16;

function mix(h: number, k: number): number {
  k = Math.imul(k, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, 0x1b873593);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** Hash of one block given its parent hash (0 for the first block) and a seed. */
export function hashBlock(
  parent: number,
  tokens: Uint32Array,
  start: number,
  end: number,
  seed = 0,
): number {
  const parentLo = parent % 0x100000000;
  const parentHi = Math.floor(parent / 0x100000000);
  let a = mix(seed ^ 0x9747b28c, parentLo);
  let b = mix(seed ^ 0x5bd1e995, parentHi);
  // mix() inlined for both lanes: the hot loop of prefix hashing (same arithmetic as mix()).
  for (let i = start; i < end; i++) {
    const t = tokens[i] as number;
    let k = Math.imul(t, 0xcc9e2d51);
    k = Math.imul((k << 15) | (k >>> 17), 0x1b873593);
    a ^= k;
    a = (Math.imul((a << 13) | (a >>> 19), 5) + 0xe6546b64) | 0;
    k = Math.imul(t ^ 0x27d4eb2f, 0xcc9e2d51);
    k = Math.imul((k << 15) | (k >>> 17), 0x1b873593);
    b ^= k;
    b = (Math.imul((b << 13) | (b >>> 19), 5) + 0xe6546b64) | 0;
  }
  const n = end - start;
  a = fmix(a ^ n);
  b = fmix(b ^ n);
  // 32 bits of lane a and 20 bits of lane b: 52 bits, exact in a double.
  return a * 0x100000 + (b >>> 12);
}

/** The chained hashes of every full block of `tokens`. */
export function hashBlocks(
  tokens: Uint32Array,
  blockSize = DEFAULT_BLOCK_SIZE_TOKENS,
  seed = 0,
): number[] {
  const full = Math.floor(tokens.length / blockSize);
  const hashes = new Array<number>(full);
  let parent = 0;
  for (let i = 0; i < full; i++) {
    parent = hashBlock(parent, tokens, i * blockSize, (i + 1) * blockSize, seed);
    hashes[i] = parent;
  }
  return hashes;
}
