import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { hasCode } from '../../../src/shared/index.js';
import { RangeAvailability } from '../../../src/weights/index.js';

const rangeArb = (size: number) =>
  fc
    .tuple(fc.nat(size), fc.nat(size))
    .map(([a, b]) => ({ start: Math.min(a, b), end: Math.max(a, b) }));

describe('RangeAvailability', () => {
  it('covers exactly the bytes added (against a byte map)', () => {
    const size = 300;
    fc.assert(
      fc.property(fc.array(rangeArb(size), { maxLength: 20 }), rangeArb(size), (added, probe) => {
        const a = new RangeAvailability(size, { maxWaiters: 1 });
        const bytes = new Uint8Array(size);
        for (const r of added) {
          a.add(r);
          bytes.fill(1, r.start, r.end);
        }
        const want = bytes.subarray(probe.start, probe.end).every((b) => b === 1);
        expect(a.covers(probe)).toBe(want);
        expect(a.bytesAvailable).toBe(bytes.reduce((n, b) => n + b, 0));
        const ranges = a.ranges();
        for (let i = 1; i < ranges.length; i++)
          expect(ranges[i]!.start).toBeGreaterThan(ranges[i - 1]!.end);
      }),
    );
  });

  it('wakes a waiter only once every byte of its range is there', async () => {
    const a = new RangeAvailability(100, { maxWaiters: 4 });
    let woke = false;
    const waiting = a.waitFor({ start: 10, end: 30 }, new AbortController().signal).then(() => {
      woke = true;
    });
    a.add({ start: 0, end: 20 });
    await Promise.resolve();
    expect(woke).toBe(false);
    expect(a.waiting).toBe(1);
    a.add({ start: 20, end: 30 });
    await waiting;
    expect(woke).toBe(true);
    expect(a.waiting).toBe(0);
  });

  it('resolves at once for a covered or empty range', async () => {
    const a = new RangeAvailability(10, { maxWaiters: 0 });
    a.add({ start: 0, end: 5 });
    await expect(
      a.waitFor({ start: 1, end: 5 }, new AbortController().signal),
    ).resolves.toBeUndefined();
    await expect(
      a.waitFor({ start: 7, end: 7 }, new AbortController().signal),
    ).resolves.toBeUndefined();
  });

  it('rejects waiters with the failure, now and later, but still serves covered ranges', async () => {
    const a = new RangeAvailability(100, { maxWaiters: 4 });
    a.add({ start: 0, end: 10 });
    const waiting = a.waitFor({ start: 50, end: 60 }, new AbortController().signal);
    const failure = new Error('pull failed');
    a.fail(failure);
    await expect(waiting).rejects.toBe(failure);
    await expect(a.waitFor({ start: 50, end: 60 }, new AbortController().signal)).rejects.toBe(
      failure,
    );
    await expect(
      a.waitFor({ start: 0, end: 10 }, new AbortController().signal),
    ).resolves.toBeUndefined();
  });

  it('rejects with WEIGHTS_ABORTED when the reader aborts, and forgets it', async () => {
    const a = new RangeAvailability(100, { maxWaiters: 4 });
    const reader = new AbortController();
    const waiting = a.waitFor({ start: 0, end: 10 }, reader.signal);
    reader.abort();
    await expect(waiting).rejects.toSatisfy((e: unknown) => hasCode(e, 'WEIGHTS_ABORTED'));
    expect(a.waiting).toBe(0);
  });

  it('refuses a waiter past the bound with WEIGHTS_TOO_MANY_READERS', async () => {
    const a = new RangeAvailability(100, { maxWaiters: 2 });
    const signal = new AbortController().signal;
    const first = a.waitFor({ start: 0, end: 1 }, signal);
    const second = a.waitFor({ start: 0, end: 2 }, signal);
    await expect(a.waitFor({ start: 0, end: 3 }, signal)).rejects.toSatisfy((e: unknown) =>
      hasCode(e, 'WEIGHTS_TOO_MANY_READERS'),
    );
    a.add({ start: 0, end: 3 });
    await Promise.all([first, second]);
  });

  it('reset forgets the ranges (a restarted file) and keeps waiters', async () => {
    const a = new RangeAvailability(100, { maxWaiters: 2 });
    a.add({ start: 0, end: 100 });
    a.reset(50);
    expect(a.size).toBe(50);
    expect(a.covers({ start: 0, end: 1 })).toBe(false);
    const waiting = a.waitFor({ start: 0, end: 50 }, new AbortController().signal);
    a.add({ start: 0, end: 80 });
    await waiting;
    expect(a.bytesAvailable).toBe(50);
  });
});
