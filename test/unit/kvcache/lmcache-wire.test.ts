/**
 * LMCache's remote-server codec (kv-wire.md §1) and its key/value view of the block store:
 * round trips, the exact byte layout, hostile headers, and a forced key-hash collision that must
 * read as a miss, never as the other key's bytes.
 */
import { describe, expect, it } from 'vitest';
import {
  BlockStore,
  decodeClientHeader,
  decodeServerHeader,
  encodeClientHeader,
  encodeServerHeader,
  LMCACHE_CLIENT_HEADER_BYTES,
  LMCACHE_EMPTY_META,
  LmcacheStore,
  type LmcacheClientHeader,
} from '../../../src/kvcache/index.js';

const header: LmcacheClientHeader = {
  command: 'put',
  length: 4096,
  fmt: 1,
  dtype: 3,
  location: 1,
  shape: [2, 32, 16, 128],
  key: 'vllm@meta-llama/Llama-3.1-8B@1@0@00000000deadbeef',
};

describe('LMCache wire codec', () => {
  it('a client header is 9 little-endian int32 then the key space-padded to 150 bytes', () => {
    const bytes = encodeClientHeader(header);
    expect(bytes.length).toBe(186);
    const v = new DataView(bytes.buffer);
    expect([0, 1, 2, 3, 4, 5, 6, 7, 8].map((i) => v.getInt32(i * 4, true))).toEqual([
      1, 4096, 1, 3, 1, 2, 32, 16, 128,
    ]);
    const key = Buffer.from(bytes.subarray(36)).toString('utf8');
    expect(key.trimEnd()).toBe(header.key);
    expect(key.length).toBe(150);
    expect(key.endsWith(' ')).toBe(true);
    expect(decodeClientHeader(bytes)).toEqual({ ok: true, header });
  });

  it('a server header is written in the order LMCache’s client decodes: code, length, fmt, dtype, location, shape', () => {
    const bytes = encodeServerHeader({
      code: 200,
      length: 9,
      fmt: 1,
      dtype: 3,
      location: 2,
      shape: [5, 6, 7, 8],
    });
    const v = new DataView(bytes.buffer);
    expect([0, 1, 2, 3, 4, 5, 6, 7, 8].map((i) => v.getInt32(i * 4, true))).toEqual([
      200, 9, 1, 3, 2, 5, 6, 7, 8,
    ]);
    expect(decodeServerHeader(bytes)).toEqual({
      code: 200,
      length: 9,
      fmt: 1,
      dtype: 3,
      location: 2,
      shape: [5, 6, 7, 8],
    });
  });

  it('refuses unknown commands, negative lengths, non-UTF-8 keys and keys over 150 bytes', () => {
    const bytes = encodeClientHeader(header);
    const v = new DataView(bytes.buffer);
    v.setInt32(0, 6, true);
    expect(decodeClientHeader(bytes)).toMatchObject({ ok: false, fault: 'unknown-command' });
    v.setInt32(0, 1, true);
    v.setInt32(4, -1, true);
    expect(decodeClientHeader(bytes)).toMatchObject({ ok: false, fault: 'negative-length' });
    v.setInt32(4, 0, true);
    bytes[40] = 0xff;
    expect(decodeClientHeader(bytes)).toMatchObject({ ok: false, fault: 'bad-key' });
    expect(() => encodeClientHeader({ ...header, key: 'é'.repeat(76) })).toThrow(RangeError);
    expect(() => decodeClientHeader(bytes.subarray(0, LMCACHE_CLIENT_HEADER_BYTES - 1))).toThrow(
      RangeError,
    );
  });
});

describe('LmcacheStore', () => {
  const fill = (store: LmcacheStore, key: string, bytes: number[]) => {
    const draft = store.draft(key, { ...LMCACHE_EMPTY_META, dtype: 3 }, bytes.length);
    if (draft === undefined) throw new Error('no draft');
    draft.payload?.set(bytes);
    return draft.commit();
  };

  it('round-trips a value with its meta, and a missing key is a miss', () => {
    const store = new LmcacheStore(new BlockStore({ budgetBytes: 1 << 20, slabBytes: 1 << 20 }));
    expect(fill(store, 'a', [1, 2, 3])).toBe('stored');
    const value = store.get('a');
    expect(value && [...value.payload]).toEqual([1, 2, 3]);
    expect(value?.meta).toEqual({ ...LMCACHE_EMPTY_META, dtype: 3 });
    value?.release();
    expect(store.exists('a')).toBe(true);
    expect(store.get('b')).toBeUndefined();
    expect(store.exists('b')).toBe(false);
  });

  it('two keys under one hash: the other key is a miss, and a put replaces the holder', () => {
    const store = new LmcacheStore(
      new BlockStore({ budgetBytes: 1 << 20, slabBytes: 1 << 20 }),
      () => 42,
    );
    fill(store, 'first', [1, 1, 1]);
    expect(store.get('second')).toBeUndefined();
    expect(store.exists('second')).toBe(false);
    fill(store, 'second', [2, 2, 2]);
    expect(store.exists('first')).toBe(false);
    const value = store.get('second');
    expect(value && [...value.payload]).toEqual([2, 2, 2]);
    value?.release();
  });

  it('writes a draft in the store slot its record lives in; abort frees it unseen', () => {
    const blocks = new BlockStore({ budgetBytes: 1 << 20, slabBytes: 1 << 20 });
    const store = new LmcacheStore(blocks);
    const draft = store.draft('a', LMCACHE_EMPTY_META, 3);
    draft?.payload?.set([4, 5, 6]);
    expect(store.get('a')).toBeUndefined(); // invisible until committed
    expect(draft?.commit()).toBe('stored');
    const value = store.get('a');
    // The very memory the draft's payload was: nothing copied it.
    expect(value?.payload.buffer).toBe(draft?.payload?.buffer);
    expect(value?.payload.byteOffset).toBe(draft?.payload?.byteOffset);
    expect(value && [...value.payload]).toEqual([4, 5, 6]);
    value?.release();
    const held = blocks.stats().slotBytes;
    store.draft('b', LMCACHE_EMPTY_META, 3)?.abort();
    expect(blocks.stats().slotBytes).toBe(held);
    expect(store.exists('b')).toBe(false);
  });

  it('keeps a power-of-two value in a slot of its own size, its head in a small one beside it', () => {
    const blocks = new BlockStore({ budgetBytes: 4 << 20, slabBytes: 2 << 20 });
    const store = new LmcacheStore(blocks);
    expect(fill(store, 'chunk', new Array<number>(1 << 20).fill(9))).toBe('stored');
    expect(blocks.stats().blocks).toBe(2);
    // 1 MiB for the payload and the smallest class (1 KiB) for the head: nothing rounded up.
    expect(blocks.stats().slotBytes).toBe((1 << 20) + 1024);
    const value = store.get('chunk');
    expect(value?.payload.length).toBe(1 << 20);
    value?.release();
  });

  it('answers a miss for a value whose payload or head was evicted, and replaces it on put', () => {
    const blocks = new BlockStore({ budgetBytes: 1 << 20, slabBytes: 1 << 20 });
    const store = new LmcacheStore(blocks, () => 100);
    fill(store, 'a', [1, 2, 3]);
    blocks.delete(100); // the payload alone gone
    expect(store.get('a')).toBeUndefined();
    expect(store.exists('a')).toBe(false);
    expect(fill(store, 'a', [4, 5, 6])).toBe('stored');
    blocks.delete(101); // the head alone gone
    expect(store.get('a')).toBeUndefined();
    expect(store.exists('a')).toBe(false);
  });

  it('keeps the value of a key put again (present), its draft taking no payload', () => {
    const store = new LmcacheStore(new BlockStore({ budgetBytes: 1 << 20, slabBytes: 1 << 20 }));
    expect(fill(store, 'a', [1, 2, 3])).toBe('stored');
    const again = store.draft('a', LMCACHE_EMPTY_META, 3);
    expect(again?.payload).toBeUndefined();
    expect(again?.commit()).toBe('present');
    const value = store.get('a');
    expect(value && [...value.payload]).toEqual([1, 2, 3]);
    value?.release();
  });

  it('gives no draft for a value larger than the store’s largest block', () => {
    const blocks = new BlockStore({ budgetBytes: 1 << 20, slabBytes: 1 << 20, slotSizes: [4096] });
    const store = new LmcacheStore(blocks);
    expect(store.draft('k', LMCACHE_EMPTY_META, store.maxPayloadBytes)).toBeDefined();
    expect(store.draft('k', LMCACHE_EMPTY_META, store.maxPayloadBytes + 1)).toBeUndefined();
  });
});
