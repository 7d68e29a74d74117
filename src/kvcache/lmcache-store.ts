/**
 * LMCache values kept in the agent's block store. LMCache names a value by a string key (up to
 * 150 bytes); the store's keys are 52-bit numbers, so the key is hashed (stringHash52). A value
 * is two blocks: its payload alone under the hash, so a power-of-two value (LMCache's chunks:
 * 2 MiB for 16 tokens of Llama-3-8B, 32 MiB for its default 256) takes a slot of its own size,
 * not the next one up; and a small head beside it (under the hash's neighbour key): `u16 key
 * length, key UTF-8, 7 int32 (fmt, dtype, location, shape0..3), u32 payload length`,
 * little-endian. A get compares the full key and the length, so a hash collision, or a value one
 * of whose blocks was evicted, is a miss, never another key's bytes. Both are written straight
 * into their reserved slots (BlockStore.reserve): the listener reads the payload into its slot,
 * and nothing copies it.
 *
 * Pure: no I/O.
 */
import type { BlockKey } from './eviction-policy.js';
import type { BlockView, PutOutcome, PutRoom } from './block-store.js';
import type { LmcacheMeta } from './lmcache-wire.js';
import { stringHash52 } from './string-hash.js';

/** What the LMCache listener needs of a block store (BlockStore fits). */
export interface LmcacheBlockStore {
  readonly maxBlockBytes: number;
  reserve(key: BlockKey, length: number): PutRoom | 'present' | 'no-room';
  get(key: BlockKey): BlockView | undefined;
  exists(keys: readonly BlockKey[]): boolean[];
  delete(key: BlockKey): boolean;
}

/**
 * A value being received: fill `payload`, then `commit()` — or `abort()` if the payload never
 * completes (its slots are held, invisible, until one of them).
 */
export interface LmcacheRecordDraft {
  readonly key: string;
  /** Where the payload goes, in its store slot; undefined when it is not kept (see `commit`). */
  readonly payload: Uint8Array | undefined;
  /** Makes the value visible: `stored`; `present` when this key was held already (kept). */
  commit(): PutOutcome;
  abort(): void;
}

/** A value found by get: its meta and a pinned view of its payload; call `release()` once sent. */
export interface LmcacheValue {
  readonly meta: LmcacheMeta;
  readonly payload: Uint8Array;
  release(): void;
}

const META_INTS = 7;
const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder();

/** The store key of a value's head: its payload's key with the lowest bit flipped. */
const headKey = (hash: BlockKey): BlockKey => (hash % 2 === 0 ? hash + 1 : hash - 1);

/** A draft that keeps no payload and answers `outcome`. */
const notKept = (key: string, outcome: PutOutcome): LmcacheRecordDraft => ({
  key,
  payload: undefined,
  commit: () => outcome,
  abort: () => undefined,
});

/** LMCache's key/value view of a block store (see the file comment). */
export class LmcacheStore {
  private readonly store: LmcacheBlockStore;
  private readonly keyHash: (key: string) => BlockKey;

  /** `keyHash`: the string → 52-bit key map (default stringHash52); tests force collisions with it. */
  constructor(store: LmcacheBlockStore, keyHash?: (key: string) => BlockKey) {
    this.store = store;
    this.keyHash = keyHash ?? ((key) => stringHash52(key));
  }

  /** The largest payload the store can keep. */
  get maxPayloadBytes(): number {
    return this.store.maxBlockBytes;
  }

  /**
   * Room for a value of `length` bytes under `key` (undefined when it cannot fit the store's
   * largest block). Whatever else its two keys hold is replaced (another key under the same hash,
   * half a value): deleted here, before the payload arrives. The same key held whole is kept
   * (`present`, as a put of it answers), and a store whose slots are all pinned or being written
   * answers `no-room`: either draft takes no payload.
   */
  draft(key: string, meta: LmcacheMeta, length: number): LmcacheRecordDraft | undefined {
    if (length > this.store.maxBlockBytes) return undefined;
    const hash = this.keyHash(key);
    if (this.lookup(key, hash)?.length === length && this.store.exists([hash])[0] === true)
      return notKept(key, 'present');
    this.store.delete(hash);
    this.store.delete(headKey(hash));
    const keyBytes = utf8Encoder.encode(key);
    const headBytes = 2 + keyBytes.length + META_INTS * 4 + 4;
    const head = this.store.reserve(headKey(hash), headBytes);
    if (typeof head === 'string') return notKept(key, 'no-room');
    const payload = this.store.reserve(hash, length);
    if (typeof payload === 'string') {
      head.abort();
      return notKept(key, 'no-room');
    }
    const v = new DataView(head.target.buffer, head.target.byteOffset, headBytes);
    v.setUint16(0, keyBytes.length, true);
    head.target.set(keyBytes, 2);
    const ints = [meta.fmt, meta.dtype, meta.location, ...meta.shape];
    ints.forEach((n, i) => v.setInt32(2 + keyBytes.length + i * 4, n, true));
    v.setUint32(headBytes - 4, length, true);
    return {
      key,
      payload: payload.target,
      commit: () => {
        const outcome = payload.commit();
        head.commit();
        return outcome;
      },
      abort: () => {
        payload.abort();
        head.abort();
      },
    };
  }

  /** The value under `key`, or undefined (a miss, another key under the same hash, half a value). */
  get(key: string): LmcacheValue | undefined {
    const hash = this.keyHash(key);
    const found = this.lookup(key, hash);
    if (found === undefined) return undefined;
    const view = this.store.get(hash);
    if (view === undefined) return undefined;
    if (view.bytes.length !== found.length) {
      view.release();
      return undefined;
    }
    return { meta: found.meta, payload: view.bytes, release: () => view.release() };
  }

  /** Whether `key` is held whole (compares the full key, so it reads the head). */
  exists(key: string): boolean {
    const hash = this.keyHash(key);
    if (!this.store.exists([hash, headKey(hash)]).every(Boolean)) return false;
    return this.lookup(key, hash) !== undefined;
  }

  /** `key`'s meta and payload length from the head under `hash`'s neighbour, if it is `key`'s. */
  private lookup(key: string, hash: BlockKey): { meta: LmcacheMeta; length: number } | undefined {
    const view = this.store.get(headKey(hash));
    if (view === undefined) return undefined;
    const parsed = parseHead(view.bytes);
    view.release();
    return parsed?.key === key ? parsed : undefined;
  }
}

function parseHead(
  head: Uint8Array,
): { key: string; meta: LmcacheMeta; length: number } | undefined {
  if (head.length < 2) return undefined;
  const at = 2 + ((head[0] ?? 0) | ((head[1] ?? 0) << 8));
  if (head.length !== at + META_INTS * 4 + 4) return undefined;
  const v = new DataView(head.buffer, head.byteOffset, head.byteLength);
  const int = (i: number): number => v.getInt32(at + i * 4, true);
  return {
    key: utf8Decoder.decode(head.subarray(2, at)),
    meta: { fmt: int(0), dtype: int(1), location: int(2), shape: [int(3), int(4), int(5), int(6)] },
    length: v.getUint32(at + META_INTS * 4, true),
  };
}
