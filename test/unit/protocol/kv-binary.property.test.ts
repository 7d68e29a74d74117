import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  KV_MESSAGE_LIMITS,
  checkAgentMessage,
  decodeKvBinary,
  encodeKvBinary,
  type KvMessage,
  type KvSourceDelta,
} from '../../../src/protocol/index.js';

const hashes = fc.array(fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }), { maxLength: 40 });
const delta: fc.Arbitrary<KvSourceDelta> = fc
  .record(
    {
      // Any UTF-16 text, astral planes included: the id's length in bytes differs from its length.
      engineId: fc.string({ minLength: 1, maxLength: 40, unit: 'binary' }),
      gpu: fc.boolean(),
      cleared: fc.constant(true as const),
      removed: hashes,
      stored: hashes,
    },
    { requiredKeys: ['engineId', 'gpu'] },
  )
  .map(({ engineId, gpu, ...rest }) => ({
    tier: gpu ? ('gpu' as const) : ('l1' as const),
    ...(gpu ? { engineId } : {}),
    ...rest,
  }));
const store = fc.record(
  {
    nativeUrl: fc.constant('ikv://10.0.0.7:7400'),
    lmcacheUrl: fc.constant('lm://10.0.0.7:7401'),
    budgetBytes: fc.nat(),
    usedBytes: fc.nat(),
    blocks: fc.nat(),
    shared: fc.boolean(),
  },
  { requiredKeys: ['nativeUrl', 'budgetBytes', 'usedBytes', 'blocks', 'shared'] },
);
const message: fc.Arbitrary<KvMessage> = fc
  .record(
    {
      seq: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
      reset: fc.constant(true as const),
      deltas: fc.array(delta, { maxLength: 12 }),
      store,
    },
    { requiredKeys: ['seq', 'deltas'] },
  )
  .map((m) => ({ v: 1 as const, type: 'kv' as const, ...m }));

/** The same bytes at `offset` inside a larger buffer (as ws hands over pooled Buffers). */
function at(offset: number, frame: Uint8Array): Uint8Array {
  const host = new Uint8Array(offset + frame.length);
  host.set(frame, offset);
  return host.subarray(offset);
}

describe('the binary kv codec, round trips', () => {
  it('decodes what it encodes to the same message, at any byte offset', () => {
    fc.assert(
      fc.property(message, fc.integer({ min: 0, max: 15 }), (m, offset) => {
        const decoded = decodeKvBinary(at(offset, encodeKvBinary(m)));
        expect(decoded).toEqual({ ok: true, message: m });
        // What the leader hands on serializes exactly as the JSON form did, and passes checkKv.
        if (decoded.ok) {
          expect(JSON.stringify(decoded.message)).toBe(JSON.stringify(m));
          expect(checkAgentMessage(JSON.parse(JSON.stringify(decoded.message)))).toBeUndefined();
        }
      }),
      { numRuns: 300 },
    );
  });

  it('never throws on any prefix, any corrupted byte or random bytes', () => {
    fc.assert(
      fc.property(message, fc.nat(), fc.integer({ min: 0, max: 255 }), (m, i, byte) => {
        const frame = encodeKvBinary(m);
        const cut = frame.subarray(0, i % (frame.length + 1));
        if (cut.length < frame.length) expect(decodeKvBinary(cut).ok).toBe(false);
        const bent = frame.slice();
        bent[i % frame.length] = byte;
        const decoded = decodeKvBinary(bent);
        // A changed byte may still be a valid message; then it is a valid one.
        if (decoded.ok)
          expect(checkAgentMessage(JSON.parse(JSON.stringify(decoded.message)))).toBeUndefined();
      }),
      { numRuns: 500 },
    );
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        expect(typeof decodeKvBinary(bytes).ok).toBe('boolean');
      }),
    );
  });

  it('carries a full message (the hash bound) and refuses one hash more', () => {
    const full: KvMessage = {
      v: 1,
      type: 'kv',
      seq: 1,
      deltas: [
        {
          tier: 'gpu',
          engineId: 'e',
          stored: Array.from({ length: KV_MESSAGE_LIMITS.hashesPerMessage }, (_, i) => i),
        },
      ],
    };
    expect(decodeKvBinary(encodeKvBinary(full))).toEqual({ ok: true, message: full });
    const over = {
      ...full,
      deltas: [...full.deltas, { tier: 'l1' as const, removed: [1] }],
    };
    expect(decodeKvBinary(encodeKvBinary(over))).toEqual({
      ok: false,
      reason: 'kv binary: too many block hashes in one message',
    });
  });
});
