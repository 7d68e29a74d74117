/**
 * Checking and decoding binary `kv` frames (kv-binary.ts, layout in kv-binary-layout.ts).
 *
 * Checking and decoding are apart because the leader's main thread only checks: with the block
 * index in a worker, it passes the frame on as it came, and the worker decodes it. Decoding on
 * the main thread too made a number array per delta there for nothing: at 1,000 nodes × 8 engines
 * those arrays were a third of everything the leader's main thread allocated, and what its
 * young generation collected several times a second (issue #18). A checked frame ({@link KvFrame})
 * holds what its header says and decodes its message only when asked.
 */
import {
  DELTA_BYTES,
  DELTA_CLEARED,
  DELTA_REMOVED,
  DELTA_STORED,
  FLAG_RESET,
  FLAG_STORE,
  FORMAT_VERSION,
  HEADER_BYTES,
  MAGIC_0,
  MAGIC_1,
  MAX_ENGINE_ID_BYTES,
  MAX_STORE_BYTES,
  TYPE_KV,
  pad8,
} from './kv-binary-layout.js';
import {
  KV_MESSAGE_LIMITS,
  type KvMessage,
  type KvSourceDelta,
  type KvStoreReport,
} from './kv-messages.js';
import { checkStore } from './validate-kv.js';
import type { Decoded } from './validate.js';

const utf8Strict = new TextDecoder('utf-8', { fatal: true });

/** A binary `kv` frame that passed every check: what its header says, its message on demand. */
export class KvFrame {
  readonly type = 'kv';
  /** The frame as it came, not copied. */
  readonly bytes: Uint8Array;
  readonly seq: number;
  /** Block hashes it lists, removed and stored together. */
  readonly hashCount: number;
  readonly store: KvStoreReport | undefined;
  #message: KvMessage | undefined;

  constructor(bytes: Uint8Array, seq: number, hashCount: number, store?: KvStoreReport) {
    this.bytes = bytes;
    this.seq = seq;
    this.hashCount = hashCount;
    this.store = store;
  }

  /** The KvMessage it encodes, decoded on the first ask. */
  get message(): KvMessage {
    return (this.#message ??= decodeChecked(this));
  }
}

const fail = (reason: string): { ok: false; reason: string } => ({
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

/** Why an engine id's bytes are refused, or undefined; ASCII ids build no string. */
function engineIdProblem(frame: Uint8Array, at: number, len: number): string | undefined {
  let ascii = true;
  for (let i = at; i < at + len && ascii; i++) ascii = (frame[i] as number) < 0x80;
  if (ascii) return len > 1024 ? 'engineId too long' : undefined;
  const id = utf8At(frame, at, len);
  if (id === undefined) return 'engineId is not UTF-8';
  return id.length > 1024 ? 'engineId too long' : undefined;
}

/**
 * Checks one binary `kv` frame as checkKv checks the JSON form, every bound enforced from the
 * header before a hash is read; allocates nothing per hash. Never throws.
 */
export function checkKvBinary(frame: Uint8Array): Decoded<KvFrame> {
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
  for (let i = 0, at = idsAt; i < deltaCount; i++) {
    const idLen = view.getUint16(HEADER_BYTES + DELTA_BYTES * i + 2, true);
    const problem = engineIdProblem(frame, at, idLen);
    if (problem !== undefined) return fail(problem);
    at += idLen;
  }
  // A DataView, not a Float64Array: V8 inlines it and it reads any offset (ws's Buffers are
  // slices of a pool). NaN fails both comparisons; the floor test refuses fractions and infinities.
  for (let at = hashesAt; at < storeAt; at += 8) {
    const h = view.getFloat64(at, true);
    if (!(h >= 0 && h <= Number.MAX_SAFE_INTEGER) || Math.floor(h) !== h)
      return fail('a block hash must be a non-negative safe integer');
  }
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
  const checked = new KvFrame(frame, seq, hashes, store as KvStoreReport | undefined);
  return { ok: true, message: checked };
}

/** Checks and decodes one binary `kv` frame into the KvMessage the JSON form yields. */
export function decodeKvBinary(frame: Uint8Array): Decoded<KvMessage> {
  const checked = checkKvBinary(frame);
  return checked.ok ? { ok: true, message: checked.message.message } : checked;
}

/** The message of a frame that passed checkKvBinary. */
function decodeChecked(checked: KvFrame): KvMessage {
  const frame = checked.bytes;
  const view = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  const deltaCount = view.getUint32(16, true);
  let idAt = HEADER_BYTES + DELTA_BYTES * deltaCount;
  let idBytes = 0;
  for (let i = 0; i < deltaCount; i++)
    idBytes += view.getUint16(HEADER_BYTES + DELTA_BYTES * i + 2, true);
  let at = idAt + idBytes + pad8(idAt + idBytes);
  const take = (count: number): number[] => {
    const list = new Array<number>(count);
    for (let j = 0; j < count; j++, at += 8) list[j] = view.getFloat64(at, true);
    return list;
  };
  const deltas: KvSourceDelta[] = [];
  for (let i = 0; i < deltaCount; i++) {
    const o = HEADER_BYTES + DELTA_BYTES * i;
    const dflags = frame[o + 1] ?? 0;
    const idLen = view.getUint16(o + 2, true);
    const engineId = idLen > 0 ? engineIdAt(frame, idAt, idLen) : undefined;
    idAt += idLen;
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
  return {
    v: 1,
    type: 'kv',
    seq: checked.seq,
    ...((frame[4] ?? 0) & FLAG_RESET ? { reset: true as const } : {}),
    deltas,
    ...(checked.store === undefined ? {} : { store: checked.store }),
  };
}

/** The message, whichever way it came in. */
export function kvMessageOf(kv: KvMessage | KvFrame): KvMessage {
  return kv instanceof KvFrame ? kv.message : kv;
}
