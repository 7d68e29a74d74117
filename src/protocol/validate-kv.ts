/**
 * Validation of the KV messages (kv-messages.ts). Each check returns a problem string or
 * undefined and never throws, so a peer's bad batch closes one socket and crashes nothing.
 */
import { KV_MESSAGE_LIMITS } from './kv-messages.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);
const isStr = (v: unknown, max: number): v is string =>
  typeof v === 'string' && v.length > 0 && v.length <= max;
const isCount = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;
/** A block hash: a safe non-negative integer (infernode's hashes stay below 2^52). */
const isHash = (v: unknown): boolean => Number.isSafeInteger(v) && (v as number) >= 0;
const KV_URL = /^(ikv|lm):\/\/[^\s/]+:\d{1,5}$/;

/** Problem with a list of hashes, or undefined; `room` is how many more the message may carry. */
function checkHashes(v: unknown, what: string, room: number): string | undefined {
  if (!Array.isArray(v)) return `${what} must be a list of block hashes`;
  if (v.length > room) return `${what}: too many block hashes in one message`;
  return v.every(isHash) ? undefined : `${what}: a block hash must be a non-negative safe integer`;
}

function checkDelta(d: unknown, room: { left: number }): string | undefined {
  if (!isObj(d)) return 'kv delta is not an object';
  if (d.tier !== 'gpu' && d.tier !== 'l1') return 'kv delta tier must be gpu or l1';
  if (d.tier === 'gpu' ? !isStr(d.engineId, 1024) : d.engineId !== undefined)
    return 'kv delta: engineId is required for tier gpu and absent for l1';
  if (d.cleared !== undefined && d.cleared !== true) return 'kv delta: cleared must be true';
  for (const key of ['removed', 'stored'] as const) {
    if (d[key] === undefined) continue;
    const problem = checkHashes(d[key], `kv delta ${key}`, room.left);
    if (problem !== undefined) return problem;
    room.left -= (d[key] as unknown[]).length;
  }
  return undefined;
}

/** Problem with a `kv` store report, or undefined (the binary codec checks its JSON tail with it). */
export function checkStore(s: unknown): string | undefined {
  if (!isObj(s)) return 'kv store must be an object';
  if (
    typeof s.nativeUrl !== 'string' ||
    !KV_URL.test(s.nativeUrl) ||
    !s.nativeUrl.startsWith('ikv:')
  )
    return 'kv store nativeUrl must be ikv://host:port';
  if (
    s.lmcacheUrl !== undefined &&
    (typeof s.lmcacheUrl !== 'string' ||
      !KV_URL.test(s.lmcacheUrl) ||
      !s.lmcacheUrl.startsWith('lm:'))
  )
    return 'kv store lmcacheUrl must be lm://host:port';
  if (!isCount(s.budgetBytes) || !isCount(s.usedBytes) || !isCount(s.blocks))
    return 'kv store needs budgetBytes, usedBytes and blocks as counts';
  if (typeof s.shared !== 'boolean') return 'kv store shared must be a boolean';
  if (s.lookups !== undefined) {
    const l = s.lookups;
    if (
      !isObj(l) ||
      !isCount(l.l1Hits) ||
      !isCount(l.l1Misses) ||
      !isCount(l.l2Hits) ||
      !isCount(l.l2Misses)
    )
      return 'kv store lookups needs l1Hits, l1Misses, l2Hits and l2Misses as counts';
  }
  return undefined;
}

/** Problem with an agent's `kv` message, or undefined. */
export function checkKv(m: Obj): string | undefined {
  if (!isCount(m.seq) || m.seq === 0) return 'kv needs seq ≥ 1';
  if (m.reset !== undefined && m.reset !== true) return 'kv reset must be true when present';
  if (!Array.isArray(m.deltas)) return 'kv needs deltas';
  if (m.deltas.length > KV_MESSAGE_LIMITS.deltasPerMessage) return 'kv: too many deltas';
  const room = { left: KV_MESSAGE_LIMITS.hashesPerMessage };
  for (const d of m.deltas) {
    const problem = checkDelta(d, room);
    if (problem !== undefined) return problem;
  }
  return m.store === undefined ? undefined : checkStore(m.store);
}

/** Problem with an agent's `kv.lookup`, or undefined. */
export function checkKvLookup(m: Obj): string | undefined {
  if (!isStr(m.id, 128)) return 'kv.lookup needs an id';
  if (Array.isArray(m.hashes) && m.hashes.length === 0) return 'kv.lookup needs at least one hash';
  return checkHashes(m.hashes, 'kv.lookup hashes', KV_MESSAGE_LIMITS.hashesPerLookup);
}

/** Problem with the leader's `kv.lookup.result`, or undefined. */
export function checkKvLookupResult(m: Obj): string | undefined {
  if (!isStr(m.id, 128)) return 'kv.lookup.result needs an id';
  if (!Array.isArray(m.holders) || m.holders.length > KV_MESSAGE_LIMITS.holdersPerLookup)
    return 'kv.lookup.result needs a bounded holders list';
  for (const h of m.holders) {
    if (!isObj(h) || !isStr(h.node, 253)) return 'kv holder needs a node';
    if (typeof h.nativeUrl !== 'string' || !KV_URL.test(h.nativeUrl))
      return 'kv holder nativeUrl malformed';
    if (!isCount(h.blocks) || h.blocks === 0) return 'kv holder blocks must be ≥ 1';
  }
  return undefined;
}
