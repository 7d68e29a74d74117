import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  SAFETENSORS_MAX_HEADER_BYTES,
  safetensorsHeaderLength,
  validateSafetensorsHeader,
} from '../../../src/weights/index.js';
import { buildSafetensors, encodeSafetensors, safetensorsHeaderFor } from './build-safetensors.js';
import type { TensorSpec } from './build-safetensors.js';

/** Both steps, as the streamer runs them on a whole file. */
function check(file: Uint8Array): string {
  const length = safetensorsHeaderLength(file.subarray(0, 8), file.length);
  if (length.kind === 'corrupt') return length.problem;
  const v = validateSafetensorsHeader(file.subarray(8, 8 + length.headerBytes), file.length);
  return v.kind === 'corrupt' ? v.problem : 'valid';
}

const tensorArb = fc.record({
  name: fc.string({ minLength: 1, maxLength: 12 }).filter((n) => n !== '__metadata__'),
  dtype: fc.constantFrom<TensorSpec['dtype'][]>('F16', 'BF16', 'F32', 'I64', 'U8'),
  shape: fc.array(fc.nat(6), { maxLength: 3 }),
});

describe('safetensors header validation', () => {
  it('accepts every well-formed file', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(tensorArb, { selector: (t) => t.name, maxLength: 6 }),
        (tensors) => {
          expect(check(buildSafetensors(tensors))).toBe('valid');
        },
      ),
    );
  });

  it('returns the tensors with their offsets', () => {
    const file = buildSafetensors([
      { name: 'w', dtype: 'F32', shape: [2, 3] },
      { name: 'b', dtype: 'F16', shape: [3] },
    ]);
    const length = safetensorsHeaderLength(file, file.length);
    expect(length.kind).toBe('valid');
    if (length.kind !== 'valid') return;
    const v = validateSafetensorsHeader(file.subarray(8, 8 + length.headerBytes), file.length);
    expect(v.kind === 'valid' ? v.tensors : v.problem).toEqual([
      { name: 'w', dtype: 'F32', shape: [2, 3], begin: 0, end: 24 },
      { name: 'b', dtype: 'F16', shape: [3], begin: 24, end: 30 },
    ]);
  });

  const good = safetensorsHeaderFor([
    { name: 'w', dtype: 'F32', shape: [2, 2] },
    { name: 'b', dtype: 'U8', shape: [4] },
  ]);
  const withTensor = (w: unknown) => encodeSafetensors({ ...good.header, w }, good.dataBytes);
  const lengthPrefix = (n: bigint, total: number) => {
    const f = new Uint8Array(total);
    new DataView(f.buffer).setBigUint64(0, n, true);
    return f;
  };

  it.each([
    { what: 'a file under 8 bytes', file: new Uint8Array(5), problem: /shorter than the 8-byte/ },
    {
      what: 'a header length past the file',
      file: lengthPrefix(100n, 50),
      problem: /exceeds the file/,
    },
    {
      what: 'a huge header length',
      file: lengthPrefix(BigInt(SAFETENSORS_MAX_HEADER_BYTES) + 1n, 64),
      problem: /limit/,
    },
    { what: 'a u64 length past 2^53', file: lengthPrefix(2n ** 63n, 64), problem: /limit/ },
    { what: 'a zero header length', file: lengthPrefix(0n, 16), problem: /too short/ },
    { what: 'a JSON array', file: encodeSafetensors([], 0), problem: /not a JSON object/ },
    {
      what: 'broken JSON',
      file: (() => {
        const f = encodeSafetensors({ a: 1 }, 0);
        f[8] = 0x5b;
        return f;
      })(),
      problem: /not JSON/,
    },
    {
      what: 'invalid UTF-8',
      file: (() => {
        const f = encodeSafetensors({ a: 'xx' }, 0);
        f[14] = 0xff;
        return f;
      })(),
      problem: /UTF-8/,
    },
    {
      what: 'metadata not strings',
      file: encodeSafetensors({ ...good.header, __metadata__: { a: 1 } }, good.dataBytes),
      problem: /__metadata__ key "a"/,
    },
    {
      what: 'an unknown dtype',
      file: withTensor({ dtype: 'F128', shape: [2, 2], data_offsets: [0, 16] }),
      problem: /tensor "w": unknown dtype "F128"/,
    },
    {
      what: 'a negative dimension',
      file: withTensor({ dtype: 'F32', shape: [-2, 2], data_offsets: [0, 16] }),
      problem: /shape/,
    },
    {
      what: 'a fractional dimension',
      file: withTensor({ dtype: 'F32', shape: [1.5], data_offsets: [0, 16] }),
      problem: /shape/,
    },
    {
      what: 'offsets reversed',
      file: withTensor({ dtype: 'U8', shape: [0], data_offsets: [8, 4] }),
      problem: /begin after end/,
    },
    {
      what: 'offsets past the data',
      file: withTensor({ dtype: 'U8', shape: [30], data_offsets: [0, 30] }),
      problem: /ends past the data section \(20 bytes\)/,
    },
    {
      what: 'one offset',
      file: withTensor({ dtype: 'F32', shape: [4], data_offsets: [0] }),
      problem: /data_offsets/,
    },
    {
      what: 'size not matching the shape',
      file: withTensor({ dtype: 'F32', shape: [2, 2], data_offsets: [0, 12] }),
      problem: /needs 16 bytes but data_offsets span 12/,
    },
    {
      what: 'overlapping tensors',
      file: withTensor({ dtype: 'U8', shape: [4], data_offsets: [14, 18] }),
      problem: /overlap/,
    },
    {
      what: 'a tensor that is not an object',
      file: withTensor(7),
      problem: /tensor "w": is not an object/,
    },
    {
      what: 'no dtype',
      file: withTensor({ shape: [], data_offsets: [0, 0] }),
      problem: /no dtype/,
    },
  ])('refuses $what', ({ file, problem }) => {
    expect(check(file)).toMatch(problem);
  });

  it('finds an overlap hidden behind an empty tensor', () => {
    const header = {
      a: { dtype: 'U8', shape: [10], data_offsets: [0, 10] },
      e: { dtype: 'U8', shape: [0], data_offsets: [5, 5] },
      c: { dtype: 'U8', shape: [2], data_offsets: [6, 8] },
    };
    expect(check(encodeSafetensors(header, 10))).toMatch(/"a" \[0, 10\] and "c" \[6, 8\] overlap/);
  });

  it('any single-byte corruption of the length or header is either still valid or named, never thrown', () => {
    const file = buildSafetensors([
      { name: 'w', dtype: 'F32', shape: [3, 2] },
      { name: 'b', dtype: 'BF16', shape: [5] },
    ]);
    const headerEnd = 8 + Number(new DataView(file.buffer).getBigUint64(0, true));
    fc.assert(
      fc.property(fc.nat(headerEnd - 1), fc.nat(255), (at, byte) => {
        const f = file.slice();
        f[at] = byte;
        expect(typeof check(f)).toBe('string');
      }),
    );
  });
});
