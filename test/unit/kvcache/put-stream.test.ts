import { describe, expect, it } from 'vitest';
import {
  BlockStore,
  createRequestDecoder,
  encodeRequest,
  joinFrame,
  storePutSink,
  type BlockRequest,
  type DecodeResult,
} from '../../../src/kvcache/index.js';
import { roomsLeft } from '../../helpers/store-rooms.js';

type Put = Extract<BlockRequest, { op: 'put' }>;

const pattern = (n: number, seed: number): Uint8Array => {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (i * 13 + seed * 5) & 0xff;
  return out;
};

const smallStore = (): BlockStore =>
  new BlockStore({ budgetBytes: 1 << 20, slotSizes: [4096, 65_536], slabBytes: 256 * 1024 });

/** A put frame's bytes. */
const putStream = (blocks: { key: number; bytes: Uint8Array }[], id = 1): Uint8Array =>
  joinFrame(encodeRequest({ op: 'put', id, blocks }));

/** A put frame of two 4000-byte blocks, keys 1 and 2. */
const twoBlocks = (): Uint8Array =>
  putStream([
    { key: 1, bytes: pattern(4000, 1) },
    { key: 2, bytes: pattern(4000, 2) },
  ]);

/** A small store and a request decoder whose put sink stores into it (when `accept`). */
function storing(accept = true) {
  const store = smallStore();
  const decoder = createRequestDecoder(
    {},
    undefined,
    storePutSink(store, () => accept),
  );
  return { store, decoder };
}

/** Pushes `stream` in two parts cut at `at`; every message and the last result. */
function pushCut(
  decoder: ReturnType<typeof createRequestDecoder>,
  stream: Uint8Array,
  at: number,
): { messages: BlockRequest[]; last: DecodeResult<BlockRequest> } {
  const first = decoder.push(stream.slice(0, at));
  const last = decoder.push(stream.slice(at));
  return { messages: [...first.messages, ...last.messages], last };
}

describe('puts stored as they arrive (put-stream.ts)', () => {
  it('stores every block byte for byte wherever the stream is cut, outcomes as put gives them', () => {
    const blocks = [
      { key: 1, bytes: pattern(3000, 1) },
      { key: 2, bytes: new Uint8Array(0) },
      { key: 1, bytes: pattern(3000, 1) }, // the same key again: present
      { key: 3, bytes: pattern(70_000, 3) }, // past the largest slot
      { key: 4, bytes: pattern(40_000, 4) },
    ];
    const stream = putStream(blocks, 7);
    for (let at = 0; at <= stream.length; at += at < 64 ? 1 : 997) {
      const { store, decoder } = storing();
      const { messages, last } = pushCut(decoder, stream, at);
      expect(last.ok).toBe(true);
      const put = messages[0] as Put;
      expect(put).toMatchObject({ op: 'put', id: 7, blocks: [] });
      expect(put.stored).toEqual(['stored', 'stored', 'present', 'too-large', 'stored']);
      for (const b of [blocks[0], blocks[1], blocks[4]])
        expect(
          Buffer.compare(
            store.getCopy(b?.key ?? -1) ?? new Uint8Array(1),
            b?.bytes ?? new Uint8Array(),
          ),
        ).toBe(0);
      expect(store.exists([3])).toEqual([false]);
      expect(store.stats().blocks).toBe(3);
      expect(decoder.bufferedBytes).toBe(0);
    }
  });

  it('lets reads land in the blocks’ store slots through readTarget: no block byte is copied', () => {
    const blocks = [
      { key: 1, bytes: pattern(40_000, 1) },
      { key: 2, bytes: pattern(3000, 2) },
      { key: 2, bytes: pattern(3000, 2) }, // present: its bytes go to the scratch
      { key: 3, bytes: pattern(50_000, 3) },
    ];
    const stream = putStream(blocks, 4);
    const { store, decoder } = storing();
    // The frame header arrives alone (a read between frames lands in the decoder's scratch).
    const got = decoder.push(stream.slice(0, 16)).messages;
    // Then a socket: each read fills at most 7000 bytes of the target the decoder offers.
    const readInto = new Map<ArrayBufferLike, number>();
    for (let at = 16; at < stream.length;) {
      const target = decoder.readTarget();
      const n = Math.min(target.length, 7000, stream.length - at);
      target.set(stream.subarray(at, at + n));
      readInto.set(target.buffer, (readInto.get(target.buffer) ?? 0) + n);
      at += n;
      got.push(...decoder.push(target.subarray(0, n)).messages);
    }
    expect((got[0] as Put).stored).toEqual(['stored', 'stored', 'present', 'stored']);
    const held = [1, 2, 3].map((key) => store.get(key));
    for (const [i, view] of held.entries()) {
      const want = blocks[i === 2 ? 3 : i]?.bytes ?? new Uint8Array();
      expect(Buffer.compare(view?.bytes ?? new Uint8Array(), want)).toBe(0);
    }
    // Every byte of the stored blocks was read straight into store memory (the slabs): the
    // reads that landed there add up to the blocks' bytes exactly.
    const slabs = new Set(held.map((v) => v?.bytes.buffer));
    const inSlabs = [...readInto].reduce((sum, [b, n]) => sum + (slabs.has(b) ? n : 0), 0);
    expect(inSlabs).toBe(40_000 + 3000 + 50_000);
    for (const v of held) v?.release();
    expect(decoder.bufferedBytes).toBe(0);
  });

  it('decodes a put whole when the sink does not accept it, and stores nothing itself', () => {
    const { store, decoder } = storing(false);
    const put = decoder.push(putStream([{ key: 9, bytes: pattern(100, 9) }])).messages[0] as Put;
    expect(put.stored).toBeUndefined();
    expect(put.blocks.map((b) => b.key)).toEqual([9]);
    expect(store.stats().blocks).toBe(0);
  });

  it.each([
    ['a count past the bound', (s: Uint8Array) => s.fill(0xff, 16, 20), 'too-many-keys'],
    ['a key above 2^53 - 1', (s: Uint8Array) => s.fill(0xff, 4000 + 32, 4000 + 40), 'bad-key'],
    ['a length past the body', (s: Uint8Array) => s.fill(0x7f, 4000 + 40, 4044), 'length-mismatch'],
  ] as const)(
    'refuses %s; whole blocks before it stay, none is left half-held',
    (_what, spoil, fault) => {
      const { store, decoder } = storing();
      const stream = twoBlocks();
      spoil(stream);
      const res = decoder.push(stream);
      expect(res.ok ? 'accepted' : res.fault).toBe(fault);
      expect(store.stats().slotBytes).toBe(store.stats().blocks * 4096);
    },
  );

  it('refuses a body that ends before its last block, freeing the block it was writing', () => {
    const { store, decoder } = storing();
    const whole = twoBlocks();
    // The header claims 1000 bytes fewer: the second block's length runs past the body.
    const view = new DataView(whole.buffer, whole.byteOffset);
    view.setUint32(4, view.getUint32(4, true) - 1000, true);
    const res = decoder.push(whole.subarray(0, whole.length - 1000));
    expect(res.ok ? 'accepted' : res.fault).toBe('length-mismatch');
    expect(store.exists([1, 2])).toEqual([true, false]);
    expect(roomsLeft(store, 4000)).toBe(256);
  });

  it('gives the slot of a block cut off by a closed connection back (dispose)', () => {
    const { store, decoder } = storing();
    const stream = putStream([{ key: 5, bytes: pattern(40_000, 5) }]);
    expect(decoder.push(stream.subarray(0, 20_000)).ok).toBe(true);
    expect(store.exists([5])).toEqual([false]); // no block yet
    expect(roomsLeft(store, 60_000)).toBe(15); // but its room counts against the budget
    decoder.dispose();
    expect(roomsLeft(store, 60_000)).toBe(16);
  });
});

describe('BlockStore.reserve', () => {
  it('keeps a block invisible until committed, and frees its slot on abort', () => {
    const store = smallStore();
    const room = store.reserve(1, 100);
    if (typeof room === 'string') throw new Error(`no room: ${room}`);
    room.target.fill(3);
    expect(store.exists([1])).toEqual([false]);
    expect(store.get(1)).toBeUndefined();
    expect(room.commit()).toBe('stored');
    expect(Array.from(store.getCopy(1) ?? [])).toEqual(new Array<number>(100).fill(3));
    expect(() => room.commit()).toThrow(/closed twice/);
    const other = store.reserve(2, 100);
    if (typeof other === 'string') throw new Error(`no room: ${other}`);
    other.abort();
    other.abort();
    expect(roomsLeft(store, 100)).toBe(256);
  });

  it('answers present when the key landed meanwhile, freeing the second slot', () => {
    const store = smallStore();
    const room = store.reserve(1, 100);
    if (typeof room === 'string') throw new Error(`no room: ${room}`);
    expect(store.put(1, pattern(100, 1))).toBe('stored');
    expect(room.commit()).toBe('present');
    expect(store.reserve(1, 100)).toBe('present');
    expect(roomsLeft(store, 100)).toBe(256); // evicts block 1 for the last room: none leaked
  });

  it('never holds more than its budget, however many rooms are open', () => {
    const store = new BlockStore({
      budgetBytes: 256 * 1024,
      slotSizes: [65_536],
      slabBytes: 256 * 1024,
    });
    const rooms = [1, 2, 3, 4].map((k) => store.reserve(k, 60_000));
    expect(rooms.every((r) => typeof r !== 'string')).toBe(true);
    expect(store.reserve(5, 60_000)).toBe('no-room'); // open rooms are not evictable
    expect(store.stats().slabBytes).toBeLessThanOrEqual(256 * 1024);
    for (const r of rooms) if (typeof r !== 'string') r.commit();
    const next = store.reserve(5, 60_000); // now one block is evicted for it
    expect(typeof next).not.toBe('string');
    expect(store.stats().evictionsTotal).toBe(1);
  });
});
