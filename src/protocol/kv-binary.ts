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
 * The layout is in kv-binary-layout.ts; the checks and the decoder in kv-binary-decode.ts.
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
  TYPE_KV,
  pad8,
} from './kv-binary-layout.js';
import type { KvMessage } from './kv-messages.js';

/** The hello/welcome feature that says the peer sends or accepts binary `kv` frames. */
export const KV_BINARY_FEATURE = 'kv-binary';

/** Float64Array reads the platform's byte order; the wire is little-endian. */
const LITTLE_ENDIAN_PLATFORM = new Uint8Array(new Float64Array([1]).buffer)[7] === 0x3f;
const utf8 = new TextEncoder();

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
