import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { partCount, partRange, partsCovering, planParts } from '../../../src/weights/index.js';

describe('part planning', () => {
  it.each([
    { size: 0, partBytes: 8, parts: [] },
    { size: 1, partBytes: 8, parts: [[0, 1]] },
    { size: 8, partBytes: 8, parts: [[0, 8]] },
    {
      size: 9,
      partBytes: 8,
      parts: [
        [0, 8],
        [8, 9],
      ],
    },
    {
      size: 24,
      partBytes: 8,
      parts: [
        [0, 8],
        [8, 16],
        [16, 24],
      ],
    },
  ])('$size bytes in $partBytes-byte parts', ({ size, partBytes, parts }) => {
    expect(planParts(size, partBytes).map((r) => [r.start, r.end])).toEqual(parts);
    expect(partCount(size, partBytes)).toBe(parts.length);
  });

  it('refuses a bad size, part size or index', () => {
    expect(() => partCount(-1, 8)).toThrow(RangeError);
    expect(() => partCount(10, 0)).toThrow(RangeError);
    expect(() => partCount(1.5, 8)).toThrow(RangeError);
    expect(() => partRange(10, 8, 2)).toThrow(RangeError);
  });

  it('parts tile the file: contiguous, full-size but the last, none empty', () => {
    fc.assert(
      fc.property(fc.nat(20_000), fc.integer({ min: 1, max: 5000 }), (size, partBytes) => {
        const parts = planParts(size, partBytes);
        let next = 0;
        const bad = parts.filter((p, i) => {
          const last = i === parts.length - 1;
          const ok =
            p.start === next &&
            p.end > p.start &&
            (last ? p.end - p.start <= partBytes : p.end - p.start === partBytes);
          next = p.end;
          return !ok;
        });
        expect(bad).toEqual([]);
        expect(next).toBe(size);
      }),
    );
  });

  it('partsCovering names exactly the parts that hold a byte of the range', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2000 }),
        fc.integer({ min: 1, max: 300 }),
        fc.nat(2100),
        fc.nat(2100),
        (size, partBytes, a, b) => {
          const range = { start: Math.min(a, b), end: Math.max(a, b) };
          const want = planParts(size, partBytes)
            .map((p, i) => ({ p, i }))
            .filter(
              ({ p }) => range.start < range.end && p.start < range.end && p.end > range.start,
            )
            .map(({ i }) => i);
          const got = partsCovering(size, partBytes, range);
          if (want.length === 0) expect(got).toBeUndefined();
          else expect(got).toEqual({ first: want[0], last: want[want.length - 1] });
        },
      ),
    );
  });
});
