/**
 * The get-prefix op (the engine's one-round-trip load): what the store serves (the leading held
 * run, bounded by the frame), how a peer's blocks continue it, and hostile get-prefix frames.
 */
import { describe, expect, it } from 'vitest';
import {
  createReplyDecoder,
  createRequestDecoder,
  encodeReply,
  extendPrefix,
  joinFrame,
  prefixFromStore,
  prefixReplyBytes,
  FRAME_HEADER_BYTES,
  OP_CODES,
} from '../../../src/kvcache/index.js';
import { block, storeHolding } from '../../helpers/small-block-store.js';

/** A frame of `op`, `kind` with `body` bytes. */
function frame(op: number, kind: number, body: number[]): Uint8Array {
  const h = new Uint8Array(FRAME_HEADER_BYTES);
  const v = new DataView(h.buffer);
  h.set([0x49, 0x4b, 0x56, 0x01]);
  v.setUint32(4, body.length, true);
  v.setUint8(8, op);
  v.setUint8(9, kind);
  v.setUint32(12, 7, true);
  return joinFrame([h, Uint8Array.from(body)]);
}
const u32 = (n: number): number[] => [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, n >>> 24];

describe('get-prefix served from the store', () => {
  it('answers the leading held run with its bytes and says it ended on a miss', () => {
    const store = storeHolding([1, 2, 3, 5]);
    const served = prefixFromStore(store, 9, [1, 2, 3, 4, 5], 1 << 20);
    expect(served.reply.id).toBe(9);
    expect(served.reply.blocks.map((b) => b.key)).toEqual([1, 2, 3]);
    expect(served.reply.blocks.map((b) => Array.from(b.bytes))).toEqual(
      [1, 2, 3].map((k) => Array.from(block(k))),
    );
    expect(served.endedOnMiss).toBe(true);
    expect(served.views).toHaveLength(3);
    for (const v of served.views) v.release();
  });

  it('stops at the frame bound without claiming a miss, and at the chain end', () => {
    const store = storeHolding([1, 2, 3]);
    const twoFit = FRAME_HEADER_BYTES + 4 + 2 * (12 + 40);
    const cut = prefixFromStore(store, 1, [1, 2, 3], twoFit);
    expect(cut.reply.blocks.map((b) => b.key)).toEqual([1, 2]);
    expect(cut.endedOnMiss).toBe(false);
    expect(prefixReplyBytes(cut.reply.blocks)).toBe(twoFit);
    expect(joinFrame(encodeReply(cut.reply, twoFit))).toHaveLength(twoFit);
    for (const v of cut.views) v.release();
    const whole = prefixFromStore(store, 1, [1, 2, 3], 1 << 20);
    expect(whole.reply.blocks).toHaveLength(3);
    expect(whole.endedOnMiss).toBe(false);
    for (const v of whole.views) v.release();
  });

  it('continues the run with a peer’s blocks only up to the first gap and within the frame', () => {
    const held = [{ key: 1, bytes: block(1) }];
    const found = new Map([
      [2, block(2)],
      [3, block(3)],
      [5, block(5)],
    ]);
    const more = extendPrefix(held, [2, 3, 4, 5], found, 1 << 20);
    expect(more.blocks.map((b) => b.key)).toEqual([1, 2, 3]);
    expect(more.added).toBe(2);
    const tight = extendPrefix(held, [2, 3], found, FRAME_HEADER_BYTES + 4 + 2 * (12 + 40));
    expect(tight.blocks.map((b) => b.key)).toEqual([1, 2]);
    expect(tight.added).toBe(1);
  });
});

describe('get-prefix frames refuse hostile input', () => {
  const op = OP_CODES['get-prefix'];

  it('refuses a request whose body ends inside the L2 wait or the keys', () => {
    for (const body of [
      [1, 2],
      [...u32(5), ...u32(2), 1, 0, 0, 0, 0, 0, 0, 0],
    ]) {
      const res = createRequestDecoder().push(frame(op, 0, body));
      expect(res.ok).toBe(false);
      expect(res.messages).toEqual([]);
    }
  });

  it('refuses a key count the body cannot hold and bytes left over', () => {
    const huge = createRequestDecoder().push(frame(op, 0, [...u32(0), ...u32(0xffffffff)]));
    expect(huge.ok).toBe(false);
    const extra = createRequestDecoder().push(frame(op, 0, [...u32(0), ...u32(0), 9]));
    expect(extra.ok).toBe(false);
  });

  it('refuses a reply block whose length runs past the body', () => {
    const body = [...u32(1), ...u32(1), ...u32(0), ...u32(1000), 1, 2, 3];
    const res = createReplyDecoder().push(frame(op, 1, body));
    expect(res.ok).toBe(false);
  });

  it('decodes a valid request with its wait and keys', () => {
    const body = [...u32(250), ...u32(1), ...u32(42), ...u32(0)];
    const res = createRequestDecoder().push(frame(op, 0, body));
    expect(res.ok).toBe(true);
    expect(res.messages).toEqual([{ op: 'get-prefix', id: 7, l2WaitMs: 250, keys: [42] }]);
  });
});
