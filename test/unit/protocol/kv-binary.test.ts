import { describe, expect, it } from 'vitest';
import {
  KV_MESSAGE_LIMITS,
  checkKvBinary,
  decodeKvBinary,
  encodeKvBinary,
  type KvMessage,
} from '../../../src/protocol/index.js';

const message: KvMessage = {
  v: 1,
  type: 'kv',
  seq: 3,
  reset: true,
  deltas: [
    { tier: 'gpu', engineId: 'node-a/e0', cleared: true, removed: [1], stored: [2, 2 ** 52 - 1] },
    { tier: 'l1', stored: [] },
  ],
  store: {
    nativeUrl: 'ikv://10.0.0.7:7400',
    budgetBytes: 1 << 30,
    usedBytes: 4096,
    blocks: 2,
    shared: true,
  },
};
const frame = encodeKvBinary(message);
/** Where the hashes start: header, 2 descriptors, 9 id bytes, padding to 8. */
const HASHES_AT = 24 + 2 * 12 + 9 + 7;

const reasonOf = (bytes: Uint8Array): string => {
  const decoded = decodeKvBinary(bytes);
  return decoded.ok ? 'ok' : decoded.reason;
};
/** A copy of the frame with `edit` applied through a little-endian DataView. */
const edited = (edit: (view: DataView, bytes: Uint8Array) => void): Uint8Array => {
  const bytes = frame.slice();
  edit(new DataView(bytes.buffer), bytes);
  return bytes;
};

describe('the binary kv frame', () => {
  it('keeps empty lists apart from absent ones, in exactly the bytes its layout says', () => {
    expect(decodeKvBinary(frame)).toEqual({ ok: true, message });
    expect(frame.length).toBe(HASHES_AT + 3 * 8 + JSON.stringify(message.store).length);
  });

  it('checks a frame without decoding it: what its header says, the message on the first ask', () => {
    const checked = checkKvBinary(frame);
    if (!checked.ok) throw new Error(checked.reason);
    const kv = checked.message;
    expect(kv.bytes).toBe(frame); // passed on as it came
    expect([kv.type, kv.seq, kv.hashCount, kv.store]).toEqual(['kv', 3, 3, message.store]);
    expect(kv.message).toEqual(message);
    expect(kv.message).toBe(kv.message); // decoded once
  });

  it('refuses truncated frames and trailing bytes', () => {
    expect(reasonOf(frame.subarray(0, 10))).toBe('kv binary: truncated header');
    expect(reasonOf(frame.subarray(0, 30))).toBe('kv binary: truncated deltas');
    expect(reasonOf(frame.subarray(0, frame.length - 1))).toMatch(/header says/);
    const longer = new Uint8Array(frame.length + 8);
    longer.set(frame);
    expect(reasonOf(longer)).toMatch(/header says/);
  });

  it('refuses a foreign or future frame', () => {
    expect(reasonOf(edited((_, b) => (b[0] = 0x7b)))).toBe('kv binary: bad magic');
    expect(reasonOf(edited((_, b) => (b[2] = 2)))).toBe('kv binary: format version 2 unsupported');
    expect(reasonOf(edited((_, b) => (b[3] = 9)))).toBe('kv binary: unknown type 9');
    expect(reasonOf(edited((_, b) => (b[4] = (b[4] ?? 0) | 8)))).toBe(
      'kv binary: unknown header flags',
    );
    expect(reasonOf(edited((_, b) => (b[6] = 1)))).toBe('kv binary: unknown header flags');
    expect(reasonOf(edited((_, b) => (b[25] = (b[25] ?? 0) | 8)))).toBe(
      'kv binary: unknown delta flags',
    );
  });

  it('checks the bounds from the header before reading any hash', () => {
    // Counts that lie about a huge message: refused for the bound, not for the length.
    expect(reasonOf(edited((v) => v.setUint32(16, 1_000_000, true)))).toBe(
      'kv binary: too many deltas',
    );
    expect(reasonOf(edited((v) => v.setUint32(24 + 8, 2 ** 32 - 1, true)))).toBe(
      'kv binary: too many block hashes in one message',
    );
    expect(
      reasonOf(edited((v) => v.setUint32(24 + 8, KV_MESSAGE_LIMITS.hashesPerMessage, true))),
    ).toBe('kv binary: too many block hashes in one message');
    expect(reasonOf(edited((v) => v.setUint32(20, 1 << 20, true)))).toBe(
      'kv binary: store report too large',
    );
    expect(reasonOf(edited((v) => v.setUint16(24 + 2, 5000, true)))).toBe(
      'kv binary: engineId is required for tier gpu and absent for l1',
    );
    expect(reasonOf(edited((v) => v.setUint16(24 + 12 + 2, 1, true)))).toBe(
      'kv binary: engineId is required for tier gpu and absent for l1',
    );
    expect(reasonOf(edited((_, b) => (b[24 + 1] = 0)))).toBe(
      'kv binary: delta counts hashes it does not list',
    );
    expect(reasonOf(edited((_, b) => (b[24] = 2)))).toBe('kv binary: delta tier must be gpu or l1');
  });

  it('refuses hashes that are negative, fractional, too large or not numbers', () => {
    for (const bad of [-1, 0.5, 2 ** 53, Infinity, NaN]) {
      const bytes = edited((v) => v.setFloat64(HASHES_AT + 8, bad, true));
      expect(reasonOf(bytes)).toBe('kv binary: a block hash must be a non-negative safe integer');
    }
  });

  it('refuses a bad seq, bad padding, a non-UTF-8 id and a bad store report', () => {
    expect(reasonOf(edited((v) => v.setFloat64(8, 0, true)))).toBe('kv binary: seq must be ≥ 1');
    expect(reasonOf(edited((v) => v.setFloat64(8, 1.5, true)))).toBe('kv binary: seq must be ≥ 1');
    expect(reasonOf(edited((_, b) => (b[HASHES_AT - 1] = 1)))).toBe('kv binary: nonzero padding');
    expect(reasonOf(edited((_, b) => (b[24 + 24] = 0xff)))).toBe(
      'kv binary: engineId is not UTF-8',
    );
    expect(reasonOf(edited((_, b) => (b[b.length - 1] = 0x20)))).toBe(
      'kv binary: store report is not JSON',
    );
    const badStore = encodeKvBinary({
      ...message,
      store: { ...message.store!, nativeUrl: 'http://x:1' },
    });
    expect(reasonOf(badStore)).toBe('kv binary: kv store nativeUrl must be ikv://host:port');
    expect(reasonOf(edited((_, b) => (b[4] = (b[4] ?? 0) & ~2)))).toBe(
      'kv binary: store flag and length differ',
    );
  });

  it('reads hashes at any byte offset (ws hands over pooled Buffers)', () => {
    for (const offset of [1, 3, 4, 7, 8]) {
      const host = new Uint8Array(offset + frame.length);
      host.set(frame, offset);
      expect(decodeKvBinary(host.subarray(offset))).toEqual({ ok: true, message });
    }
  });
});
