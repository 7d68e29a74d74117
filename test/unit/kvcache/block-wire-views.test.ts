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
  type BlockReply,
  type BlockRequest,
} from '../../../src/kvcache/index.js';

type Put = Extract<BlockRequest, { op: 'put' }>;
type Get = Extract<BlockReply, { op: 'get' }>;

/** `n` bytes of a pattern that differs per `seed`, so a mixed-up block cannot pass. */
const pattern = (n: number, seed: number): Uint8Array =>
  Uint8Array.from({ length: n }, (_, i) => (i * 31 + seed * 7) & 0xff);

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

describe('block wire decoder views (no copy of frame bodies)', () => {
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

  it('hands a block split over chunks out as views of those chunks, joined only when read', () => {
    const { req, stream } = putFrame(2, [20_000]);
    const chunks = cut(stream, 8192);
    const decoder = createRequestDecoder();
    const got = chunks.flatMap((c) => decoder.push(c).messages) as Put[];
    const block = got[0]?.blocks[0];
    if (block === undefined) throw new Error('no block decoded');
    const parts = payloadParts(block);
    expect(parts.length).toBe(3);
    // Every part shares memory with a pushed chunk: nothing was copied to decode it.
    for (const p of parts) expect(chunks.some((c) => c.buffer === p.buffer)).toBe(true);
    expect(payloadLength(block)).toBe(20_000);
    const joined = block.bytes;
    expect(chunks.some((c) => c.buffer === joined.buffer)).toBe(false);
    expect(Array.from(joined)).toEqual(Array.from(req.blocks[0]?.bytes ?? []));
    expect(block.bytes).toBe(joined); // joined once, then kept
  });

  it('decodes many frames from one chunk, each payload a view of that chunk', () => {
    const frames = Array.from({ length: 50 }, (_, i) => putFrame(i + 1, [16 + i]));
    const stream = joinFrame(frames.map((f) => f.stream));
    const got = createRequestDecoder().push(stream).messages as Put[];
    expect(got.map((m) => m.id)).toEqual(frames.map((f) => f.req.id));
    got.forEach((m, i) => {
      const b = m.blocks[0];
      expect(b?.bytes.buffer).toBe(stream.buffer);
      expect(Array.from(b?.bytes ?? [])).toEqual(Array.from(frames[i]?.req.blocks[0]?.bytes ?? []));
    });
  });

  it('keeps a payload valid after the next frames arrive, even in a chunk it shared', () => {
    const first = putFrame(1, [12_000, 9_000]);
    const second = putFrame(2, [15_000]);
    const third = putFrame(3, [100]);
    const stream = joinFrame([first.stream, second.stream, third.stream]);
    // 5000-byte chunks: frames end and start inside chunks, blocks span several.
    const chunks = cut(stream, 5000);
    const decoder = createRequestDecoder();
    const got: Put[] = [];
    const seen: number[][][] = [];
    for (const c of chunks) {
      for (const m of decoder.push(c).messages as Put[]) {
        got.push(m);
        seen.push(m.blocks.map((b) => payloadParts(b).flatMap((p) => Array.from(p))));
      }
    }
    expect(got.map((m) => m.id)).toEqual([1, 2, 3]);
    // Read again after every later frame was decoded: the same bytes, part by part and joined.
    got.forEach((m, i) => {
      const want = [first, second, third][i]?.req.blocks ?? [];
      m.blocks.forEach((b, j) => {
        const bytes = Array.from(want[j]?.bytes ?? []);
        expect(payloadParts(b).flatMap((p) => Array.from(p))).toEqual(bytes);
        expect(seen[i]?.[j]).toEqual(bytes);
        expect(Array.from(b.bytes)).toEqual(bytes);
      });
    });
  });

  it('merges a trickle of tiny chunks instead of holding one view per byte', () => {
    const { req, stream } = putFrame(4, [12_000]);
    const decoder = createRequestDecoder();
    const got: Put[] = [];
    for (let i = 0; i < stream.length; i++)
      got.push(...(decoder.push(stream.subarray(i, i + 1)).messages as Put[]));
    const block = got[0]?.blocks[0];
    if (block === undefined) throw new Error('no block decoded');
    expect(payloadParts(block).length).toBeLessThanOrEqual(Math.ceil(12_000 / 4096) + 2);
    expect(Array.from(block.bytes)).toEqual(Array.from(req.blocks[0]?.bytes ?? []));
  });

  it('stores a block straight from its received parts, byte for byte', () => {
    const { req, stream } = putFrame(5, [20_000]);
    const decoder = createRequestDecoder();
    const got = cut(stream, 6000).flatMap((c) => decoder.push(c).messages) as Put[];
    const block = got[0]?.blocks[0];
    if (block === undefined) throw new Error('no block decoded');
    expect(payloadParts(block).length).toBeGreaterThan(1);
    const store = new BlockStore({ budgetBytes: 1 << 20, slotSizes: [32_768], slabBytes: 1 << 20 });
    expect(store.put(block.key, payloadParts(block))).toBe('stored');
    expect(Array.from(store.getCopy(block.key) ?? [])).toEqual(
      Array.from(req.blocks[0]?.bytes ?? []),
    );
    expect(store.stats().bytes).toBe(20_000);
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
