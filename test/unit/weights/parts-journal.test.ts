import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  PartBitmap,
  decodePartsJournal,
  encodePartsJournal,
  partCount,
} from '../../../src/weights/index.js';

const SUBJECT = { path: 'model.safetensors', size: 100, etag: '"abc"', partBytes: 16 };

function bitmapWith(count: number, done: readonly number[]): PartBitmap {
  const b = new PartBitmap(count);
  for (const i of done) b.set(i);
  return b;
}

describe('parts journal', () => {
  it('round-trips the done parts for the same file', () => {
    fc.assert(
      fc.property(
        fc.nat(10_000),
        fc.integer({ min: 1, max: 512 }),
        fc.option(fc.string(), { nil: undefined }),
        fc.array(fc.nat()),
        (size, partBytes, etag, picks) => {
          const count = partCount(size, partBytes);
          const done = bitmapWith(count, count === 0 ? [] : picks.map((p) => p % count));
          const subject = { path: 'a/b.bin', size, etag, partBytes };
          const decision = decodePartsJournal(encodePartsJournal(subject, done), subject);
          expect(decision.kind).toBe('resume');
          if (decision.kind !== 'resume') return;
          expect(decision.done.toBytes()).toEqual(done.toBytes());
          expect(decision.done.doneCount).toBe(done.doneCount);
        },
      ),
    );
  });

  const text = encodePartsJournal(SUBJECT, bitmapWith(7, [0, 3, 6]));
  const edit = (change: Record<string, unknown>): string =>
    JSON.stringify({ ...JSON.parse(text), ...change });

  it.each([
    { what: 'another size', journal: text, expected: { ...SUBJECT, size: 101 }, reason: /size/ },
    { what: 'another etag', journal: text, expected: { ...SUBJECT, etag: '"x"' }, reason: /etag/ },
    {
      what: 'no etag now',
      journal: text,
      expected: { ...SUBJECT, etag: undefined },
      reason: /etag/,
    },
    {
      what: 'another part size',
      journal: text,
      expected: { ...SUBJECT, partBytes: 32 },
      reason: /part size/,
    },
    {
      what: 'another file',
      journal: text,
      expected: { ...SUBJECT, path: 'x' },
      reason: /another file/,
    },
    { what: 'another version', journal: edit({ v: 2 }), expected: SUBJECT, reason: /version/ },
    { what: 'not JSON', journal: '{"v":1', expected: SUBJECT, reason: /not JSON/ },
    { what: 'an array', journal: '[]', expected: SUBJECT, reason: /not an object/ },
    { what: 'a bad bitmap', journal: edit({ done: '!!' }), expected: SUBJECT, reason: /base64/ },
    {
      what: 'a short bitmap',
      journal: edit({ done: '' }),
      expected: SUBJECT,
      reason: /does not fit/,
    },
    {
      what: 'a bit past the last part',
      journal: edit({ done: Buffer.from([0x80]).toString('base64') }),
      expected: SUBJECT,
      reason: /does not fit/,
    },
    {
      what: 'a huge journal',
      journal: ' '.repeat(2 * 1024 * 1024),
      expected: SUBJECT,
      reason: /too large/,
    },
  ])('starts over on $what', ({ journal, expected, reason }) => {
    const decision = decodePartsJournal(journal, expected);
    expect(decision.kind).toBe('start-over');
    if (decision.kind === 'start-over') expect(decision.reason).toMatch(reason);
  });

  it('a bitmap counts each part once and knows when it is complete', () => {
    const b = new PartBitmap(3);
    b.set(1);
    b.set(1);
    expect(b.doneCount).toBe(1);
    expect(b.complete).toBe(false);
    b.set(0);
    b.set(2);
    expect(b.complete).toBe(true);
    expect(new PartBitmap(0).complete).toBe(true);
    expect(() => b.set(3)).toThrow(RangeError);
  });
});
