/**
 * LMCache values kept in the agent's block store. LMCache names a value by a string key (up to
 * 150 bytes); the store's keys are 52-bit numbers, so the key is hashed (stringHash52) and the
 * full key is stored with the value: a get compares it, so a hash collision is a miss, never
 * another key's bytes. A record is `u16 key length, key UTF-8, 7 int32 (fmt, dtype, location,
 * shape0..3), payload`, little-endian, written straight into the store slot it will live in
 * (BlockStore.reserve): the listener reads the payload into that slot, and nothing copies it.
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
 * A record being received: fill `payload`, then `commit()` — or `abort()` if the payload never
 * completes (the slot is held, invisible, until one of them).
 */
export interface LmcacheRecordDraft {
  readonly key: string;
  /** Where the payload goes, in its store slot; undefined when it is not kept (see `commit`). */
  readonly payload: Uint8Array | undefined;
  /** Makes the record visible: `stored`; `present` when this key was held already (kept). */
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

/** Record bytes before the payload for `key`. */
export function lmcacheRecordOverhead(key: string): number {
  return 2 + utf8Encoder.encode(key).length + META_INTS * 4;
}

/** LMCache's key/value view of a block store (see the file comment). */
export class LmcacheStore {
  private readonly store: LmcacheBlockStore;
  private readonly keyHash: (key: string) => BlockKey;

  /** `keyHash`: the string → 52-bit key map (default stringHash52); tests force collisions with it. */
  constructor(store: LmcacheBlockStore, keyHash?: (key: string) => BlockKey) {
    this.store = store;
    this.keyHash = keyHash ?? ((key) => stringHash52(key));
  }

  /** The largest payload that fits the store's largest block for `key`. */
  maxPayloadBytes(key: string): number {
    return this.store.maxBlockBytes - lmcacheRecordOverhead(key);
  }

  /**
   * Room for a value of `length` bytes under `key` (undefined when it cannot fit the store's
   * largest block). A different key held under the same hash is replaced: deleted here, before
   * the payload arrives. The same key held already is kept (`present`, as a put of it answers),
   * and a store with every slot pinned or being written answers `no-room`: either draft takes no
   * payload.
   */
  draft(key: string, meta: LmcacheMeta, length: number): LmcacheRecordDraft | undefined {
    const keyBytes = utf8Encoder.encode(key);
    const head = 2 + keyBytes.length + META_INTS * 4;
    if (head + length > this.store.maxBlockBytes) return undefined;
    const hash = this.keyHash(key);
    const held = this.store.get(hash);
    if (held !== undefined) {
      const sameKey = recordKey(held.bytes) === key;
      held.release();
      if (!sameKey) this.store.delete(hash);
    }
    const room = this.store.reserve(hash, head + length);
    if (typeof room === 'string')
      return { key, payload: undefined, commit: () => room, abort: () => undefined };
    const record = room.target;
    const v = new DataView(record.buffer, record.byteOffset, head);
    v.setUint16(0, keyBytes.length, true);
    record.set(keyBytes, 2);
    const ints = [meta.fmt, meta.dtype, meta.location, ...meta.shape];
    ints.forEach((n, i) => v.setInt32(2 + keyBytes.length + i * 4, n, true));
    return {
      key,
      payload: record.subarray(head),
      commit: () => room.commit(),
      abort: () => room.abort(),
    };
  }

  /** The value under `key`, or undefined (a miss, or another key under the same hash). */
  get(key: string): LmcacheValue | undefined {
    const view = this.store.get(this.keyHash(key));
    if (view === undefined) return undefined;
    const parsed = parseRecord(view.bytes);
    if (parsed?.key !== key) {
      view.release();
      return undefined;
    }
    return { meta: parsed.meta, payload: parsed.payload, release: () => view.release() };
  }

  /** Whether `key` is held (compares the full key, so it pins and releases the record). */
  exists(key: string): boolean {
    const hash = this.keyHash(key);
    if (!this.store.exists([hash]).every(Boolean)) return false;
    const view = this.store.get(hash);
    if (view === undefined) return false;
    const same = recordKey(view.bytes) === key;
    view.release();
    return same;
  }
}

function keyLengthOf(record: Uint8Array): number {
  return record.length < 2 ? -1 : (record[0] ?? 0) | ((record[1] ?? 0) << 8);
}

function recordKey(record: Uint8Array): string | undefined {
  const keyLength = keyLengthOf(record);
  if (keyLength < 0) return undefined;
  if (record.length < 2 + keyLength) return undefined;
  return utf8Decoder.decode(record.subarray(2, 2 + keyLength));
}

function parseRecord(
  record: Uint8Array,
): { key: string; meta: LmcacheMeta; payload: Uint8Array } | undefined {
  const key = recordKey(record);
  if (key === undefined) return undefined;
  const at = 2 + keyLengthOf(record);
  if (record.length < at + META_INTS * 4) return undefined;
  const v = new DataView(record.buffer, record.byteOffset, record.byteLength);
  const int = (i: number): number => v.getInt32(at + i * 4, true);
  return {
    key,
    meta: {
      fmt: int(0),
      dtype: int(1),
      location: int(2),
      shape: [int(3), int(4), int(5), int(6)],
    },
    payload: record.subarray(at + META_INTS * 4),
  };
}
