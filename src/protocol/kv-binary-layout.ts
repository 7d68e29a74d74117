/**
 * The layout of the binary `kv` frame (kv-binary.ts says what it is for), shared by its encoder
 * and decoder; not part of the protocol's exports.
 *
 * Layout, little-endian throughout:
 *   header (24 B): 'i' 'k', version u8 = 1, type u8 = 1 (kv), flags u8 (1: reset, 2: store),
 *     3 zero bytes, seq f64, delta count u32, store tail length u32
 *   per delta (12 B): tier u8 (0 gpu, 1 l1), flags u8 (1: cleared, 2: removed, 4: stored),
 *     engineId length u16 (UTF-8 bytes), removed count u32, stored count u32
 *   the engineIds' UTF-8 bytes, back to back, then zero bytes up to a multiple of 8 (so a
 *   reader may view the hashes as a Float64Array where the frame itself is aligned)
 *   the hashes as float64, per delta its removed then its stored
 *   the `store` report as UTF-8 JSON (small and rare: not worth a layout of its own)
 * The frame's length must be exactly what the header and descriptors say: a truncated, padded
 * or lying frame is refused before anything is allocated for its hashes.
 */
export const MAGIC_0 = 0x69; // 'i'
export const MAGIC_1 = 0x6b; // 'k'
export const FORMAT_VERSION = 1;
export const TYPE_KV = 1;
export const HEADER_BYTES = 24;
export const DELTA_BYTES = 12;
export const FLAG_RESET = 1;
export const FLAG_STORE = 2;
export const DELTA_CLEARED = 1;
export const DELTA_REMOVED = 2;
export const DELTA_STORED = 4;
/** validate-kv allows 1024 UTF-16 units; each is at most 3 UTF-8 bytes. */
export const MAX_ENGINE_ID_BYTES = 3 * 1024;
/** The store report is a handful of counts and two URLs. */
export const MAX_STORE_BYTES = 8 * 1024;

export const pad8 = (n: number): number => (8 - (n % 8)) % 8;
