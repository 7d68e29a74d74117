/**
 * The `kv` message as one binary WebSocket frame (issue #18). At 1,000 nodes the leader spent
 * about 9 % of its busy time parsing the JSON form's block hashes (~17 digits each) and checking
 * them one by one; here a hash is 8 bytes read as a float64, checked and copied in one loop.
 *
 * Only `kv` has this form, and only on a connection where both sides opted in: the agent lists
 * {@link KV_BINARY_FEATURE} in its hello and sends binary frames only when the leader's welcome
 * lists it too. Everything else stays JSON, and the decoded message is the same KvMessage the
 * JSON path yields (plain number arrays), so the index and the replica feed cannot tell.
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
import {
  KV_MESSAGE_LIMITS,
  type KvMessage,
  type KvSourceDelta,
  type KvStoreReport,
} from './kv-messages.js';
import { checkStore } from './validate-kv.js';
import type { Decoded } from './validate.js';

/** The hello/welcome feature that says the peer sends or accepts binary `kv` frames. */
export const KV_BINARY_FEATURE = 'kv-binary';

const MAGIC_0 = 0x69; // 'i'
const MAGIC_1 = 0x6b; // 'k'
const FORMAT_VERSION = 1;
const TYPE_KV = 1;
const HEADER_BYTES = 24;
const DELTA_BYTES = 12;
const FLAG_RESET = 1;
const FLAG_STORE = 2;
const DELTA_CLEARED = 1;
const DELTA_REMOVED = 2;
const DELTA_STORED = 4;
/** validate-kv allows 1024 UTF-16 units; each is at most 3 UTF-8 bytes. */
const MAX_ENGINE_ID_BYTES = 3 * 1024;
/** The store report is a handful of counts and two URLs. */
const MAX_STORE_BYTES = 8 * 1024;

/** Float64Array reads the platform's byte order; the wire is little-endian. */
const LITTLE_ENDIAN_PLATFORM = new Uint8Array(new Float64Array([1]).buffer)[7] === 0x3f;
const utf8 = new TextEncoder();
const utf8Strict = new TextDecoder('utf-8', { fatal: true });

const pad8 = (n: number): number => (8 - (n % 8)) % 8;

/** An id as it goes on the wire: itself when ASCII (the usual case: no encoder), else UTF-8. */
function wireId(id: string): string | Uint8Array {
  for (let i = 0; i < id.length; i++) if (id.charCodeAt(i) >= 0x80) return utf8.encode(id);
  return id;
}

/** Encodes a valid `kv` message (the reporter's) as one binary frame. */
export function encodeKvBinary(message: KvMessage): Uint8Array {
  const ids = message.deltas.map((d) => wireId(d.engineId ?? ''));
  let idBytes = 0;
  let hashes = 0;
  for (const [i, d] of message.deltas.entries()) {
    const len = ids[i]?.length ?? 0;
    if (len > MAX_ENGINE_ID_BYTES) throw new RangeError('kv engineId too long for a binary frame');
    idBytes += len;
    hashes += (d.removed?.length ?? 0) + (d.stored?.length ?? 0);
  }
  const store =
    message.store === undefined ? undefined : utf8.encode(JSON.stringify(message.store));
  const idsAt = HEADER_BYTES + DELTA_BYTES * message.deltas.length;
  const hashesAt = idsAt + idBytes + pad8(idsAt + idBytes);
  const storeAt = hashesAt + 8 * hashes;
  // A fresh ArrayBuffer starts at offset 0, so the hash region is 8-aligned for the view.
  const frame = new Uint8Array(storeAt + (store?.length ?? 0));
  const view = new DataView(frame.buffer);
  frame[0] = MAGIC_0;
  frame[1] = MAGIC_1;
  frame[2] = FORMAT_VERSION;
  frame[3] = TYPE_KV;
  frame[4] = (message.reset === true ? FLAG_RESET : 0) | (store === undefined ? 0 : FLAG_STORE);
  view.setFloat64(8, message.seq, true);
  view.setUint32(16, message.deltas.length, true);
  view.setUint32(20, store?.length ?? 0, true);
  const out = LITTLE_ENDIAN_PLATFORM ? new Float64Array(frame.buffer, hashesAt, hashes) : undefined;
  let at = idsAt;
  let h = 0;
  const put = (list: readonly number[]): void => {
    if (out !== undefined) out.set(list, h);
    else for (const [j, x] of list.entries()) view.setFloat64(hashesAt + 8 * (h + j), x, true);
    h += list.length;
  };
  for (const [i, d] of message.deltas.entries()) {
    const id = ids[i] ?? '';
    const o = HEADER_BYTES + DELTA_BYTES * i;
    frame[o] = d.tier === 'gpu' ? 0 : 1;
    frame[o + 1] =
      (d.cleared === true ? DELTA_CLEARED : 0) |
      (d.removed === undefined ? 0 : DELTA_REMOVED) |
      (d.stored === undefined ? 0 : DELTA_STORED);
    view.setUint16(o + 2, id.length, true);
    view.setUint32(o + 4, d.removed?.length ?? 0, true);
    view.setUint32(o + 8, d.stored?.length ?? 0, true);
    if (typeof id !== 'string') frame.set(id, at);
    else for (let j = 0; j < id.length; j++) frame[at + j] = id.charCodeAt(j);
    at += id.length;
    if (d.removed !== undefined) put(d.removed);
    if (d.stored !== undefined) put(d.stored);
  }
  if (store !== undefined) frame.set(store, storeAt);
  return frame;
}

const fail = (reason: string): Decoded<KvMessage> => ({
  ok: false,
  reason: `kv binary: ${reason}`,
});

/** Strict UTF-8, or undefined. */
function utf8At(frame: Uint8Array, at: number, len: number): string | undefined {
  try {
    return utf8Strict.decode(frame.subarray(at, at + len));
  } catch {
    return undefined;
  }
}

/** An engine id: short ASCII in practice, which skips the (costlier) UTF-8 decoder. */
function engineIdAt(frame: Uint8Array, at: number, len: number): string | undefined {
  if (len > 64) return utf8At(frame, at, len);
  let ascii = '';
  for (let i = at; i < at + len; i++) {
    const c = frame[i] as number;
    if (c >= 0x80) return utf8At(frame, at, len);
    ascii += String.fromCharCode(c);
  }
  return ascii;
}

/**
 * Decodes and validates one binary `kv` frame; never throws. Checks what checkKv checks on the
 * JSON form, with every bound enforced from the header before the hashes are touched.
 */
export function decodeKvBinary(frame: Uint8Array): Decoded<KvMessage> {
  if (frame.length < HEADER_BYTES) return fail('truncated header');
  if (frame[0] !== MAGIC_0 || frame[1] !== MAGIC_1) return fail('bad magic');
  if (frame[2] !== FORMAT_VERSION) return fail(`format version ${String(frame[2])} unsupported`);
  if (frame[3] !== TYPE_KV) return fail(`unknown type ${String(frame[3])}`);
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  const flags = frame[4] ?? 0;
  if ((flags & ~(FLAG_RESET | FLAG_STORE)) !== 0 || view.getUint16(5) !== 0 || frame[7] !== 0)
    return fail('unknown header flags');
  const seq = view.getFloat64(8, true);
  if (!Number.isSafeInteger(seq) || seq < 1) return fail('seq must be ≥ 1');
  const deltaCount = view.getUint32(16, true);
  if (deltaCount > KV_MESSAGE_LIMITS.deltasPerMessage) return fail('too many deltas');
  const storeBytes = view.getUint32(20, true);
  if (storeBytes > MAX_STORE_BYTES) return fail('store report too large');
  if (storeBytes > 0 !== ((flags & FLAG_STORE) !== 0)) return fail('store flag and length differ');
  const idsAt = HEADER_BYTES + DELTA_BYTES * deltaCount;
  if (frame.length < idsAt) return fail('truncated deltas');
  let idBytes = 0;
  let hashes = 0;
  for (let i = 0; i < deltaCount; i++) {
    const o = HEADER_BYTES + DELTA_BYTES * i;
    const tier = frame[o];
    const dflags = frame[o + 1] ?? 0;
    const idLen = view.getUint16(o + 2, true);
    const removed = view.getUint32(o + 4, true);
    const stored = view.getUint32(o + 8, true);
    if (tier !== 0 && tier !== 1) return fail('delta tier must be gpu or l1');
    if ((dflags & ~(DELTA_CLEARED | DELTA_REMOVED | DELTA_STORED)) !== 0)
      return fail('unknown delta flags');
    if (tier === 0 ? idLen === 0 || idLen > MAX_ENGINE_ID_BYTES : idLen !== 0)
      return fail('engineId is required for tier gpu and absent for l1');
    if ((removed > 0 && !(dflags & DELTA_REMOVED)) || (stored > 0 && !(dflags & DELTA_STORED)))
      return fail('delta counts hashes it does not list');
    idBytes += idLen;
    hashes += removed + stored;
    if (hashes > KV_MESSAGE_LIMITS.hashesPerMessage)
      return fail('too many block hashes in one message');
  }
  const hashesAt = idsAt + idBytes + pad8(idsAt + idBytes);
  const storeAt = hashesAt + 8 * hashes;
  if (frame.length !== storeAt + storeBytes)
    return fail(`frame is ${frame.length} bytes; its header says ${storeAt + storeBytes}`);
  for (let i = idsAt + idBytes; i < hashesAt; i++)
    if (frame[i] !== 0) return fail('nonzero padding');

  const deltas: KvSourceDelta[] = [];
  let idAt = idsAt;
  let at = hashesAt;
  let badHashes = 0;
  // One pass reads, checks and copies each hash. A DataView, not a Float64Array: V8 inlines it
  // (as fast in kv-codec-bench) and it reads any offset, where ws's Buffers come from a pool.
  const take = (count: number): number[] => {
    const list = new Array<number>(count);
    for (let j = 0; j < count; j++, at += 8) {
      const h = view.getFloat64(at, true);
      // NaN fails both comparisons; the floor test refuses fractions and infinities.
      if (!(h >= 0 && h <= Number.MAX_SAFE_INTEGER) || Math.floor(h) !== h) badHashes++;
      list[j] = h;
    }
    return list;
  };
  for (let i = 0; i < deltaCount; i++) {
    const o = HEADER_BYTES + DELTA_BYTES * i;
    const dflags = frame[o + 1] ?? 0;
    const idLen = view.getUint16(o + 2, true);
    let engineId: string | undefined;
    if (idLen > 0) {
      engineId = engineIdAt(frame, idAt, idLen);
      if (engineId === undefined) return fail('engineId is not UTF-8');
      if (engineId.length > 1024) return fail('engineId too long');
      idAt += idLen;
    }
    const removed = view.getUint32(o + 4, true);
    const stored = view.getUint32(o + 8, true);
    deltas.push({
      tier: frame[o] === 0 ? 'gpu' : 'l1',
      ...(engineId === undefined ? {} : { engineId }),
      ...(dflags & DELTA_CLEARED ? { cleared: true as const } : {}),
      ...(dflags & DELTA_REMOVED ? { removed: take(removed) } : {}),
      ...(dflags & DELTA_STORED ? { stored: take(stored) } : {}),
    });
  }
  if (badHashes > 0) return fail('a block hash must be a non-negative safe integer');

  let store: unknown;
  if (storeBytes > 0) {
    try {
      store = JSON.parse(utf8Strict.decode(frame.subarray(storeAt)));
    } catch {
      return fail('store report is not JSON');
    }
    const problem = checkStore(store);
    if (problem !== undefined) return fail(problem);
  }
  return {
    ok: true,
    message: {
      v: 1,
      type: 'kv',
      seq,
      ...(flags & FLAG_RESET ? { reset: true as const } : {}),
      deltas,
      ...(store === undefined ? {} : { store: store as KvStoreReport }),
    },
  };
}
