/**
 * The pure parts of the simulator's KV connector: the load-or-recompute decision (perf.md §3.4:
 * loading pays off when moving the blocks' true KV bytes over the link takes less time than the
 * prefill of their tokens) and the scaled, hash-derived block payload a fetch can verify.
 */
import { stepTimeS, type HardwareProfile } from './profiles.js';

/** What loading `tokens` prefix tokens would cost against recomputing them. */
export interface FetchDecision {
  /** Modeled transfer time of the true KV bytes, seconds. */
  readonly transferS: number;
  /** The profile's marginal prefill time of those tokens, seconds. */
  readonly recomputeS: number;
  /** True when the transfer is faster. */
  readonly fetch: boolean;
}

/** Decides whether to load `tokens` tokens of KV over a link of `linkBytesPerS`. */
export function decideFetch(
  profile: HardwareProfile,
  tokens: number,
  linkBytesPerS: number,
): FetchDecision {
  const transferS = transferTimeS(profile, tokens, linkBytesPerS);
  const shape = { batchSize: 1, decodeContextTokens: 0, activeAdapters: 0 };
  const recomputeS =
    stepTimeS(profile, { ...shape, prefillTokens: tokens }) -
    stepTimeS(profile, { ...shape, prefillTokens: 0 });
  return { transferS, recomputeS, fetch: tokens > 0 && transferS < recomputeS };
}

/** Modeled time to move `tokens` tokens of true KV bytes, seconds. */
export function transferTimeS(
  profile: HardwareProfile,
  tokens: number,
  linkBytesPerS: number,
): number {
  return (tokens * profile.kvBytesPerToken) / linkBytesPerS;
}

/** Real bytes stored per block: the true size scaled by `fraction`, at least 16. */
export function payloadBytes(trueBlockBytes: number, fraction: number): number {
  return Math.max(16, Math.round(trueBlockBytes * fraction));
}

/**
 * The payload of block `hash`: its hash (float64, little-endian) then xorshift32 words seeded
 * from it, so any holder can regenerate and compare what it got.
 */
export function blockPayload(hash: number, size: number): Uint8Array {
  const out = new Uint8Array(size);
  const view = new DataView(out.buffer);
  view.setFloat64(0, hash, true);
  let x = ((hash % 0x1_0000_0000) ^ Math.floor(hash / 0x1_0000_0000)) >>> 0 || 0x9e3779b9;
  for (let at = 8; at + 4 <= size; at += 4) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    view.setUint32(at, x >>> 0, true);
  }
  return out;
}

/** Whether `bytes` is exactly block `hash`'s payload of `size` bytes. */
export function isBlockPayload(hash: number, size: number, bytes: Uint8Array): boolean {
  if (bytes.length !== size) return false;
  const want = blockPayload(hash, size);
  return Buffer.from(want.buffer, want.byteOffset, want.byteLength).equals(
    Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength),
  );
}

/**
 * Wall milliseconds a lookup and fetch of `tokens` prefix tokens may take and still beat
 * recomputing them: what the load would save (recompute minus transfer, modeled seconds) over
 * the sim speed, at most `capMs`; 0 when loading cannot pay.
 */
export function loadBudgetMs(
  profile: HardwareProfile,
  tokens: number,
  linkBytesPerS: number,
  speed: number,
  capMs: number,
): number {
  const { transferS, recomputeS } = decideFetch(profile, tokens, linkBytesPerS);
  return Math.min(capMs, Math.max(0, ((recomputeS - transferS) / speed) * 1000));
}
