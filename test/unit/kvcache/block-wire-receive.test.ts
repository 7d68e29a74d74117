import { describe, expect, it } from 'vitest';
import {
  BlockStore,
  createReplyDecoder,
  createRequestDecoder,
  encodeReply,
  encodeRequest,
  joinFrame,
  payloadLength,
  payloadParts,
  ReceivePool,
  SEGMENT_BYTES,
  type BlockReply,
  type BlockRequest,
} from '../../../src/kvcache/index.js';

type Put = Extract<BlockRequest, { op: 'put' }>;
type Get = Extract<BlockReply, { op: 'get' }>;

/** `n` bytes of a pattern that differs per `seed`, so a mixed-up block cannot pass. */
const pattern = (n: number, seed: number): Uint8Array => {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = (i * 31 + seed * 7) & 0xff;
  return out;
};

/** Whether two byte runs are equal (a readable failure for short ones, a fast check for big). */
const same = (a: Uint8Array | undefined, b: Uint8Array | undefined): boolean =>
  a !== undefined && b !== undefined && Buffer.compare(a, b) === 0;

/** `stream` cut into chunks of `size` bytes (the last one shorter), each its own buffer. */
const cut = (stream: Uint8Array, size: number): Uint8Array[] => {
  const out: Uint8Array[] = [];
  for (let at = 0; at < stream.length; at += size) out.push(stream.slice(at, at + size));
  return out;
};

const putFrame = (id: number, sizes: number[]): { req: Put; stream: Uint8Array } => {
  const req: Put = {
    op: 'put',
    id,
    blocks: sizes.map((n, i) => ({ key: id * 100 + i, bytes: pattern(n, id * 100 + i) })),
  };
  return { req, stream: joinFrame(encodeRequest(req)) };
};

describe('block wire receive (bodies copied as they arrive, into reusable segments)', () => {
  it('decodes a put frame split at every byte boundary, payloads intact', () => {
    const { req, stream } = putFrame(1, [5, 0, 40, 3]);
    for (let at = 0; at <= stream.length; at++) {
      const decoder = createRequestDecoder();
      const got = [
        ...decoder.push(stream.slice(0, at)).messages,
        ...decoder.push(stream.slice(at)).messages,
      ] as Put[];
      expect(got).toHaveLength(1);
      const blocks = got[0]?.blocks ?? [];
      expect(blocks.map((b) => b.key)).toEqual(req.blocks.map((b) => b.key));
      blocks.forEach((b, i) => {
        const want = req.blocks[i]?.bytes as Uint8Array;
        expect(payloadLength(b)).toBe(want.length);
        expect(Array.from(b.bytes)).toEqual(Array.from(want));
      });
      expect(decoder.bufferedBytes).toBe(0);
    }
  });

  it('decodes a get reply split at every byte boundary, hits and misses in order', () => {
    const reply: Get = {
      op: 'get',
      id: 9,
      blocks: [
        { key: 1, status: 'hit', bytes: pattern(33, 1) },
        { key: 2, status: 'miss' },
        { key: 3, status: 'hit', bytes: pattern(7, 3) },
        { key: 4, status: 'omitted' },
      ],
    };
    const stream = joinFrame(encodeReply(reply));
    for (let at = 0; at <= stream.length; at++) {
      const decoder = createReplyDecoder();
      const got = [
        ...decoder.push(stream.slice(0, at)).messages,
        ...decoder.push(stream.slice(at)).messages,
      ] as Get[];
      expect(got).toHaveLength(1);
      expect(
        got[0]?.blocks.map((b) => [b.key, b.status, b.status === 'hit' ? Array.from(b.bytes) : []]),
      ).toEqual(
        reply.blocks.map((b) => [b.key, b.status, b.status === 'hit' ? Array.from(b.bytes) : []]),
      );
    }
  });

  it('keeps nothing of a pushed chunk: the same buffer can be reused for every push', () => {
    const frames = [putFrame(1, [12_000, 9_000]), putFrame(2, [150_000]), putFrame(3, [100])];
    const stream = joinFrame(frames.map((f) => f.stream));
    // One buffer refilled for each push, as a socket's onread buffer is.
    const reused = new Uint8Array(5000);
    const decoder = createRequestDecoder();
    const got: Put[] = [];
    for (let at = 0; at < stream.length; at += reused.length) {
      const n = Math.min(reused.length, stream.length - at);
      reused.set(stream.subarray(at, at + n));
      got.push(...(decoder.push(reused.subarray(0, n)).messages as Put[]));
      reused.fill(0xee); // what the next read would do to it
    }
    expect(got.map((m) => m.id)).toEqual([1, 2, 3]);
    got.forEach((m, i) => {
      const want = frames[i]?.req.blocks ?? [];
      m.blocks.forEach((b, j) => {
        expect(payloadParts(b).every((p) => p.buffer !== reused.buffer)).toBe(true);
        expect(same(b.bytes, want[j]?.bytes)).toBe(true);
      });
    });
  });

  it('receives a big body into pool segments as its bytes arrive, never what a header claims', () => {
    const pool = new ReceivePool({ maxPooledBytes: 8 * SEGMENT_BYTES });
    const decoder = createRequestDecoder({}, pool);
    const { stream } = putFrame(4, [3 * SEGMENT_BYTES]);
    // The header and 10 bytes of a 3 MiB body: one segment taken, not three.
    expect(decoder.push(stream.subarray(0, 26)).ok).toBe(true);
    expect(pool.freshTotal).toBe(1);
    expect(decoder.bufferedBytes).toBe(26);
    const rest = decoder.push(stream.subarray(26)).messages as Put[];
    const block = rest[0]?.blocks[0];
    if (block === undefined) throw new Error('no block decoded');
    // 3 MiB of payload after 16 bytes of body header span four segments.
    expect(pool.freshTotal).toBe(4);
    expect(payloadParts(block).length).toBe(4);
    expect(payloadLength(block)).toBe(3 * SEGMENT_BYTES);
    expect(same(block.bytes, pattern(3 * SEGMENT_BYTES, 400))).toBe(true);
  });

  it('reuses the segments of a message given back, and only those, each once', () => {
    const pool = new ReceivePool({ maxPooledBytes: 8 * SEGMENT_BYTES });
    const decoder = createRequestDecoder({}, pool);
    const first = decoder.push(putFrame(5, [SEGMENT_BYTES]).stream).messages as Put[];
    const parts = first.flatMap((m) => m.blocks.flatMap((b) => [...payloadParts(b)]));
    expect(pool.freshTotal).toBe(2);
    pool.give(parts);
    pool.give(parts); // twice: ignored
    pool.give([new Uint8Array(SEGMENT_BYTES)]); // never lent: ignored
    expect(pool.pooledBytes).toBe(2 * SEGMENT_BYTES);
    const second = putFrame(6, [SEGMENT_BYTES]);
    const again = decoder.push(second.stream).messages as Put[];
    const block = again[0]?.blocks[0];
    if (block === undefined) throw new Error('no block decoded');
    expect(pool.freshTotal).toBe(2);
    expect(pool.reusedTotal).toBe(2);
    expect(new Set(payloadParts(block).map((p) => p.buffer))).toEqual(
      new Set(parts.map((p) => p.buffer)),
    );
    expect(same(block.bytes, second.req.blocks[0]?.bytes)).toBe(true);
  });

  it('keeps at most its bound of segments for reuse', () => {
    const pool = new ReceivePool({ maxPooledBytes: 2 * SEGMENT_BYTES });
    const taken = [pool.take(), pool.take(), pool.take()];
    pool.give(taken);
    expect(pool.pooledBytes).toBe(2 * SEGMENT_BYTES);
  });

  it('lets reads land in place through readTarget, the bytes never copied by push', () => {
    const reply: Get = {
      op: 'get',
      id: 7,
      blocks: [
        { key: 1, status: 'hit', bytes: pattern(1_500_000, 1) },
        { key: 2, status: 'miss' },
        { key: 3, status: 'hit', bytes: pattern(70_000, 3) },
      ],
    };
    const frames = [joinFrame(encodeReply(reply)), joinFrame(encodeReply({ op: 'auth', id: 8 }))];
    const stream = joinFrame(frames);
    const pool = new ReceivePool({ maxPooledBytes: 4 * SEGMENT_BYTES });
    const decoder = createReplyDecoder({}, pool);
    const targets = new Set<ArrayBufferLike>();
    const got: BlockReply[] = [];
    // A socket: each read fills at most 40 000 bytes of the target the decoder offers.
    for (let at = 0; at < stream.length;) {
      const target = decoder.readTarget();
      const n = Math.min(target.length, 40_000, stream.length - at);
      target.set(stream.subarray(at, at + n));
      targets.add(target.buffer);
      at += n;
      got.push(...decoder.push(target.subarray(0, n)).messages);
    }
    expect(got.map((m) => m.op)).toEqual(['get', 'auth']);
    const blocks = (got[0] as Get).blocks;
    expect(blocks.map((b) => b.status)).toEqual(['hit', 'miss', 'hit']);
    for (const [i, b] of blocks.entries()) {
      if (b.status !== 'hit') continue;
      // The payload lies in the very memory the reads were made into.
      expect(payloadParts(b).every((p) => targets.has(p.buffer))).toBe(true);
      const want = reply.blocks[i];
      expect(same(b.bytes, want?.status === 'hit' ? want.bytes : undefined)).toBe(true);
    }
    expect(decoder.bufferedBytes).toBe(0);
  });

  it('refuses a frame past the bound from its header, taking no memory for it', () => {
    const pool = new ReceivePool({ maxPooledBytes: 0 });
    const decoder = createRequestDecoder({ maxFrameBytes: 1 << 20 }, pool);
    const res = decoder.push(putFrame(9, [2 << 20]).stream.subarray(0, 16));
    expect(res.ok ? undefined : res.fault).toBe('frame-too-large');
    expect(pool.freshTotal).toBe(0);
    expect(decoder.readTarget().length).toBeLessThanOrEqual(64 * 1024);
  });

  it('stores a block straight from its received parts, byte for byte', () => {
    const { req, stream } = putFrame(5, [SEGMENT_BYTES + 20_000]);
    const decoder = createRequestDecoder();
    const got = cut(stream, 60_000).flatMap((c) => decoder.push(c).messages) as Put[];
    const block = got[0]?.blocks[0];
    if (block === undefined) throw new Error('no block decoded');
    expect(payloadParts(block).length).toBeGreaterThan(1);
    const store = new BlockStore({
      budgetBytes: 4 << 20,
      slotSizes: [2 << 20],
      slabBytes: 4 << 20,
    });
    expect(store.put(block.key, payloadParts(block))).toBe('stored');
    expect(same(store.getCopy(block.key), req.blocks[0]?.bytes)).toBe(true);
    expect(store.stats().bytes).toBe(SEGMENT_BYTES + 20_000);
  });

  it('re-encodes a block received split (a forwarded one) without changing a byte', () => {
    const reply: Get = {
      op: 'get',
      id: 3,
      blocks: [{ key: 8, status: 'hit', bytes: pattern(25_000, 8) }],
    };
    const decoder = createReplyDecoder();
    const stream = joinFrame(encodeReply(reply));
    const first = cut(stream, 7000).flatMap((c) => decoder.push(c).messages) as Get[];
    const again = createReplyDecoder().push(joinFrame(encodeReply(first[0] as Get)))
      .messages as Get[];
    const b = again[0]?.blocks[0];
    expect(b?.status).toBe('hit');
    expect(b?.status === 'hit' ? Array.from(b.bytes) : []).toEqual(
      Array.from(reply.blocks[0]?.status === 'hit' ? reply.blocks[0].bytes : []),
    );
  });
});
