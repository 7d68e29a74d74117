import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  PROTOCOL_VERSION,
  decodeReplicaFollowerMessage,
  decodeReplicaKvFrame,
  encodeKvBinary,
  encodeReplicaKvFrame,
  type KvMessage,
} from '../../../src/protocol/index.js';

const batch: KvMessage = {
  v: 1,
  type: 'kv',
  seq: 9,
  reset: true,
  deltas: [
    { tier: 'gpu', engineId: 'node-é/engine-0', stored: [1, 2, 2 ** 52 + 3], removed: [7] },
    { tier: 'l1', cleared: true },
  ],
};
const agentFrame = encodeKvBinary(batch);

/** A feed frame with its header replaced by `header` (any text). */
function withHeader(header: string, frame: Uint8Array = agentFrame): Buffer {
  const h = Buffer.from(header);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(h.length);
  return Buffer.concat([length, h, frame]);
}

describe('replica.kv binary feed frames', () => {
  it('carry an agent’s frame as it came, with the feed’s seq and node', () => {
    const raw = encodeReplicaKvFrame(41, 'node-é', agentFrame);
    expect(raw.subarray(raw.length - agentFrame.length)).toEqual(Buffer.from(agentFrame));
    const decoded = decodeReplicaKvFrame(raw);
    if (!decoded.ok) throw new Error(decoded.reason);
    expect(decoded.message).toMatchObject({
      v: PROTOCOL_VERSION,
      type: 'replica.kv',
      seq: 41,
      node: 'node-é',
    });
    expect(decoded.message.batch.message).toEqual(batch);
  });

  it('refuse what is not one, with a reason, never throwing', () => {
    const good = JSON.stringify({ v: 1, type: 'replica.kv', seq: 1, node: 'n' });
    const cases: [Buffer, string][] = [
      [Buffer.from([0, 0]), 'truncated length'],
      [Buffer.from([0, 0, 0, 200, 1, 2]), 'bad header length'],
      [Buffer.from([0xff, 0xff, 0xff, 0xff]), 'bad header length'],
      [withHeader('{not json'), 'header is not JSON'],
      [withHeader('null'), 'header is not JSON'],
      [withHeader(JSON.stringify({ v: 2, type: 'replica.kv', seq: 1, node: 'n' })), 'version'],
      [withHeader(JSON.stringify({ v: 1, type: 'replica.state', seq: 1, node: 'n' })), 'only'],
      [withHeader(JSON.stringify({ v: 1, type: 'replica.kv', seq: -1, node: 'n' })), 'seq'],
      [withHeader(JSON.stringify({ v: 1, type: 'replica.kv', seq: 1, node: '' })), 'node'],
      [withHeader(good, agentFrame.subarray(0, 10)), 'binary feed frame: '],
      [withHeader(good, new Uint8Array(0)), 'binary feed frame: '],
    ];
    for (const [raw, reason] of cases) {
      const decoded = decodeReplicaKvFrame(raw);
      expect(decoded.ok, reason).toBe(false);
      if (!decoded.ok) expect(decoded.reason).toContain(reason);
    }
  });

  it('never throw on arbitrary bytes, behind a valid length and header or not', () => {
    const header = JSON.stringify({ v: 1, type: 'replica.kv', seq: 1, node: 'n' });
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.boolean(), (bytes, framed) => {
        const raw = framed ? withHeader(header, bytes) : Buffer.from(bytes);
        const decoded = decodeReplicaKvFrame(raw);
        expect(typeof decoded.ok).toBe('boolean');
      }),
      { numRuns: 500 },
    );
  });

  it('are asked for in the follower’s hello, which allows only true', () => {
    const hello = (extra: object): string =>
      JSON.stringify({ v: 1, type: 'replica.hello', identity: 'f', ...extra });
    expect(decodeReplicaFollowerMessage(hello({ kvBinary: true }))).toMatchObject({
      ok: true,
      message: { kvBinary: true },
    });
    expect(decodeReplicaFollowerMessage(hello({})).ok).toBe(true);
    expect(decodeReplicaFollowerMessage(hello({ kvBinary: 'yes' }))).toEqual({
      ok: false,
      reason: 'hello kvBinary must be true when present',
    });
  });
});
