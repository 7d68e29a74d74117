import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  createReplyDecoder,
  createRequestDecoder,
  encodeReply,
  encodeRequest,
  joinFrame,
  FRAME_HEADER_BYTES,
  PUT_RESULTS,
  WIRE_ERROR_CODES,
  type BlockReply,
  type BlockRequest,
  type GetReplyEntry,
  type WireErrorCode,
} from '../../../src/kvcache/index.js';
import { hasCode } from '../../../src/shared/index.js';

const key = fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER });
const id = fc.integer({ min: 0, max: 0xffffffff });
const bytes = fc.uint8Array({ maxLength: 300 });
const keys = fc.array(key, { maxLength: 40 });

const requestArb: fc.Arbitrary<BlockRequest> = fc.oneof(
  fc.record({
    op: fc.constant('put' as const),
    id,
    blocks: fc.array(fc.record({ key, bytes }), { maxLength: 8 }),
  }),
  fc.record({
    op: fc.constantFrom(
      'get' as const,
      'exists' as const,
      'longest-prefix' as const,
      'delete' as const,
    ),
    id,
    keys,
  }),
  fc.record({
    op: fc.constant('auth' as const),
    id,
    token: fc.string({ maxLength: 100 }),
    peer: fc.boolean(),
  }),
  fc.record({ op: fc.constant('get-prefix' as const), id, l2WaitMs: fc.nat(0xffffffff), keys }),
);

const getEntry: fc.Arbitrary<GetReplyEntry> = fc.oneof(
  fc.record({ key, status: fc.constant('hit' as const), bytes }),
  fc.record({ key, status: fc.constantFrom('miss' as const, 'omitted' as const) }),
);
const replyArb: fc.Arbitrary<BlockReply> = fc.oneof(
  fc.record({
    op: fc.constant('put' as const),
    id,
    results: fc.array(fc.constantFrom(...PUT_RESULTS), { maxLength: 40 }),
  }),
  fc.record({
    op: fc.constant('get' as const),
    id,
    blocks: fc.array(getEntry, { maxLength: 120 }),
  }),
  fc.record({
    op: fc.constantFrom('exists' as const, 'delete' as const),
    id,
    flags: fc.array(fc.boolean(), { maxLength: 40 }),
  }),
  fc.record({ op: fc.constant('auth' as const), id }),
  fc.record({ op: fc.constant('longest-prefix' as const), id, held: fc.nat(0xffffffff) }),
  fc.record({
    op: fc.constant('get-prefix' as const),
    id,
    blocks: fc.array(fc.record({ key, bytes }), { maxLength: 8 }),
  }),
  fc.record({
    op: fc.constant('error' as const),
    id,
    code: fc.constantFrom(...(Object.keys(WIRE_ERROR_CODES) as WireErrorCode[])),
    message: fc.string({ maxLength: 200 }),
  }),
);

/** `stream` cut at `cuts` (positions taken modulo its length). */
function chunksOf(stream: Uint8Array, cuts: number[]): Uint8Array[] {
  const at = [...new Set(cuts.map((c) => (stream.length === 0 ? 0 : c % stream.length)))].sort(
    (a, b) => a - b,
  );
  const out: Uint8Array[] = [];
  let prev = 0;
  for (const c of [...at, stream.length]) {
    out.push(stream.subarray(prev, c));
    prev = c;
  }
  return out;
}

/** Plain-data form for comparison (Uint8Array views into frames compare by content). */
const plain = (v: unknown): unknown =>
  JSON.parse(JSON.stringify(v, (_k, x: unknown) => (x instanceof Uint8Array ? Array.from(x) : x)));

/** A raw frame header with the given fields. */
function rawHeader(fields: {
  magic?: number[];
  body?: number;
  op?: number;
  kind?: number;
  reserved?: number;
  id?: number;
}): Uint8Array {
  const h = new Uint8Array(FRAME_HEADER_BYTES);
  const v = new DataView(h.buffer);
  h.set(fields.magic ?? [0x49, 0x4b, 0x56, 0x01]);
  v.setUint32(4, fields.body ?? 0, true);
  v.setUint8(8, fields.op ?? 2);
  v.setUint8(9, fields.kind ?? 0);
  v.setUint16(10, fields.reserved ?? 0, true);
  v.setUint32(12, fields.id ?? 1, true);
  return h;
}
const withBody = (h: Uint8Array, body: number[]): Uint8Array => {
  new DataView(h.buffer).setUint32(4, body.length, true);
  return joinFrame([h, Uint8Array.from(body)]);
};
const u32 = (n: number): number[] => [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, n >>> 24];

describe('block wire codec round trips', () => {
  it('decodes every request stream it encodes, whatever the chunk boundaries', () => {
    fc.assert(
      fc.property(
        fc.array(requestArb, { minLength: 1, maxLength: 5 }),
        fc.array(fc.nat(), { maxLength: 12 }),
        (reqs, cuts) => {
          const stream = joinFrame(reqs.flatMap((r) => encodeRequest(r)));
          const decoder = createRequestDecoder();
          const got: BlockRequest[] = [];
          for (const chunk of chunksOf(stream, cuts)) {
            const res = decoder.push(chunk);
            expect(res.ok).toBe(true);
            got.push(...res.messages);
          }
          expect(plain(got)).toEqual(plain(reqs));
          expect(decoder.bufferedBytes).toBe(0);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('decodes every reply stream it encodes, whatever the chunk boundaries', () => {
    fc.assert(
      fc.property(
        fc.array(replyArb, { minLength: 1, maxLength: 5 }),
        fc.array(fc.nat(), { maxLength: 12 }),
        (replies, cuts) => {
          const stream = joinFrame(replies.flatMap((r) => encodeReply(r)));
          const decoder = createReplyDecoder();
          const got: BlockReply[] = [];
          for (const chunk of chunksOf(stream, cuts)) got.push(...decoder.push(chunk).messages);
          const expected = replies.map((r) =>
            r.op === 'error'
              ? { ...r, message: new TextDecoder().decode(new TextEncoder().encode(r.message)) }
              : r,
          );
          expect(plain(got)).toEqual(plain(expected));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('decodes a stream fed one byte at a time', () => {
    const req: BlockRequest = {
      op: 'put',
      id: 7,
      blocks: [
        { key: 2 ** 52 - 1, bytes: Uint8Array.of(1, 2, 3) },
        { key: 0, bytes: new Uint8Array(0) },
      ],
    };
    const stream = joinFrame(encodeRequest(req));
    const decoder = createRequestDecoder();
    const got: BlockRequest[] = [];
    for (let i = 0; i < stream.length; i++)
      got.push(...decoder.push(stream.subarray(i, i + 1)).messages);
    expect(plain(got)).toEqual(plain([req]));
  });

  it('copies put payloads out of the pushed chunk, which the caller may then reuse', () => {
    const stream = joinFrame(
      encodeRequest({ op: 'put', id: 1, blocks: [{ key: 5, bytes: new Uint8Array(64).fill(9) }] }),
    );
    const res = createRequestDecoder().push(stream);
    const put = res.messages[0] as Extract<BlockRequest, { op: 'put' }>;
    expect(put.blocks[0]?.bytes.buffer).not.toBe(stream.buffer);
    stream.fill(0);
    expect(Array.from(put.blocks[0]?.bytes ?? [])).toEqual(new Array<number>(64).fill(9));
  });

  it('waits, without a fault, on a truncated frame', () => {
    const stream = joinFrame(encodeRequest({ op: 'get', id: 3, keys: [1, 2, 3] }));
    for (const cut of [1, FRAME_HEADER_BYTES - 1, FRAME_HEADER_BYTES, stream.length - 1]) {
      const decoder = createRequestDecoder();
      const res = decoder.push(stream.subarray(0, cut));
      expect(res).toEqual({ ok: true, messages: [] });
      expect(decoder.bufferedBytes).toBe(cut);
    }
  });
});

describe('block wire codec refuses hostile input', () => {
  it.each([
    [
      'a huge declared length, from the header alone',
      rawHeader({ body: 0xffffffff }),
      'frame-too-large',
    ],
    [
      'an LMCache request on the native port',
      Uint8Array.from([...u32(2), ...u32(0), ...new Array<number>(8).fill(0)]),
      'bad-magic',
    ],
    ['another protocol version', rawHeader({ magic: [0x49, 0x4b, 0x56, 0x02] }), 'bad-magic'],
    ['an unknown op', rawHeader({ op: 9 }), 'unknown-op'],
    [
      'an error op sent as a request',
      withBody(rawHeader({ op: 0x7f }), [0, 0, 0, 0]),
      'unknown-op',
    ],
    ['auth with undefined flags', withBody(rawHeader({ op: 6 }), [2, 0, 0]), 'bad-field'],
    [
      'auth with a token past the bound',
      withBody(rawHeader({ op: 6 }), [0, 0x01, 0x02, ...new Array<number>(513).fill(65)]),
      'bad-field',
    ],
    [
      'auth with a token past the body',
      withBody(rawHeader({ op: 6 }), [0, 5, 0, 65]),
      'length-mismatch',
    ],
    ['a reply sent to the server', rawHeader({ kind: 1 }), 'bad-kind'],
    ['an undefined frame kind', rawHeader({ kind: 7 }), 'bad-kind'],
    ['a non-zero reserved field', rawHeader({ reserved: 1 }), 'bad-reserved'],
    ['a count past the per-frame bound', withBody(rawHeader({}), u32(70_000)), 'too-many-keys'],
    [
      'a count that overflows the body',
      withBody(rawHeader({}), [...u32(3), ...new Array<number>(16).fill(0)]),
      'length-mismatch',
    ],
    [
      'a block length past the body',
      withBody(rawHeader({ op: 1 }), [
        ...u32(1),
        ...new Array<number>(8).fill(0),
        ...u32(0xffffffff),
      ]),
      'length-mismatch',
    ],
    [
      'bytes after the last field',
      withBody(rawHeader({}), [...u32(1), ...new Array<number>(9).fill(0)]),
      'length-mismatch',
    ],
    ['an empty body', withBody(rawHeader({}), []), 'length-mismatch'],
    [
      'a key above 2^53 - 1',
      withBody(rawHeader({}), [...u32(1), ...u32(0), ...u32(0x200000)]),
      'bad-key',
    ],
  ])('%s', (_what, input, fault) => {
    const decoder = createRequestDecoder();
    const res = decoder.push(input);
    expect(res.ok).toBe(false);
    if (!res.ok) {
      expect(res.fault).toBe(fault);
      expect(res.reason.length).toBeGreaterThan(10);
    }
    expect(decoder.bufferedBytes).toBe(0);
  });

  it('refuses bad reply fields: an undefined put result, flag, get status or error code', () => {
    const rh = (op: number): Uint8Array => rawHeader({ op, kind: 1 });
    const cases: [Uint8Array, string][] = [
      [withBody(rh(1), [...u32(1), PUT_RESULTS.length]), 'bad-field'],
      [withBody(rh(3), [...u32(1), 2]), 'bad-field'],
      [withBody(rh(2), [...u32(1), ...new Array<number>(8).fill(0), 3]), 'bad-field'],
      [withBody(rh(0x7f), [99, 0, 0, 0]), 'bad-field'],
      [withBody(rh(0x7f), [1, 0, 50, 0]), 'length-mismatch'],
    ];
    for (const [input, fault] of cases) {
      const res = createReplyDecoder().push(input);
      expect(res.ok ? undefined : res.fault).toBe(fault);
    }
  });

  it('returns the frames before a bad one, then stays refused', () => {
    const good = joinFrame(encodeRequest({ op: 'exists', id: 1, keys: [4] }));
    const decoder = createRequestDecoder();
    const res = decoder.push(joinFrame([good, rawHeader({ op: 42 })]));
    expect(res.ok).toBe(false);
    expect(plain(res.messages)).toEqual([{ op: 'exists', id: 1, keys: [4] }]);
    const again = decoder.push(good);
    expect(again).toMatchObject({ ok: false, fault: 'unknown-op', messages: [] });
  });

  it('honours a smaller frame bound and per-frame key bound', () => {
    const frame = joinFrame(encodeRequest({ op: 'get', id: 1, keys: [1, 2, 3] }));
    expect(createRequestDecoder({ maxFrameBytes: frame.length - 1 }).push(frame)).toMatchObject({
      ok: false,
      fault: 'frame-too-large',
    });
    expect(createRequestDecoder({ maxKeysPerFrame: 2 }).push(frame)).toMatchObject({
      ok: false,
      fault: 'too-many-keys',
    });
    expect(
      createRequestDecoder({ maxFrameBytes: frame.length, maxKeysPerFrame: 3 }).push(frame).ok,
    ).toBe(true);
  });

  it('never throws on random bytes, valid prefix or not', () => {
    fc.assert(
      fc.property(
        fc.boolean(),
        fc.uint8Array({ maxLength: 200 }),
        fc.array(fc.nat(), { maxLength: 6 }),
        (prefixed, junk, cuts) => {
          const input = prefixed ? joinFrame([rawHeader({ body: junk.length }), junk]) : junk;
          for (const decoder of [createRequestDecoder(), createReplyDecoder()])
            for (const chunk of chunksOf(input, cuts)) decoder.push(chunk);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('refuses to encode a frame past the bound, with a clear error', () => {
    const big = { op: 'put' as const, id: 1, blocks: [{ key: 1, bytes: new Uint8Array(100) }] };
    let caught: unknown;
    try {
      encodeRequest(big, 100);
    } catch (err) {
      caught = err;
    }
    expect(hasCode(caught, 'KV_FRAME_TOO_LARGE')).toBe(true);
    expect(() =>
      encodeReply(
        { op: 'get', id: 1, blocks: [{ key: 1, status: 'hit', bytes: new Uint8Array(100) }] },
        100,
      ),
    ).toThrow(/split the batch/);
    expect(() => encodeRequest({ op: 'get', id: 1, keys: [2 ** 53] })).toThrow(RangeError);
  });
});
