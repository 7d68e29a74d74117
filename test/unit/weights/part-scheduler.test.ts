import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { PartScheduler } from '../../../src/weights/index.js';
import type { PartLease } from '../../../src/weights/index.js';

const FILES = [
  { path: 'a', size: 40 },
  { path: 'empty', size: 0 },
  { path: 'b', size: 25 },
];
const key = (l: PartLease | undefined) => (l === undefined ? undefined : `${l.file}:${l.part}`);

function drain(s: PartScheduler): string[] {
  const order: string[] = [];
  for (let l = s.take(); l !== undefined; l = s.take()) {
    order.push(key(l)!);
    s.complete(l);
  }
  return order;
}

describe('PartScheduler', () => {
  it('hands out parts file by file, part by part, with their ranges', () => {
    const s = new PartScheduler(FILES, 10);
    const first = s.take()!;
    expect(first.range).toEqual({ start: 0, end: 10 });
    s.complete(first);
    expect(drain(s)).toEqual(['0:1', '0:2', '0:3', '2:0', '2:1', '2:2']);
    expect(s.allDone).toBe(true);
  });

  it('a zero-byte file is done from the start', () => {
    const s = new PartScheduler(FILES, 10);
    expect(s.isFileDone(1)).toBe(true);
    expect(s.isFileDone(0)).toBe(false);
  });

  it('prioritize moves the parts covering a range to the front, in order', () => {
    const s = new PartScheduler(FILES, 10);
    const a0 = s.take()!;
    expect(s.prioritize('b', { start: 12, end: 25 })).toBe(2);
    expect(key(s.take())).toBe('2:1');
    expect(key(s.take())).toBe('2:2');
    expect(key(s.take())).toBe('0:1');
    // parts done or leased are not queued again
    expect(s.prioritize('a', { start: 0, end: 20 })).toBe(0);
    expect(s.prioritize('nope', { start: 0, end: 20 })).toBe(0);
    s.complete(a0);
  });

  it('a later request goes ahead of an earlier one', () => {
    const s = new PartScheduler(FILES, 10);
    s.prioritize('a', { start: 30, end: 31 });
    s.prioritize('b', { start: 0, end: 1 });
    expect([key(s.take()), key(s.take()), key(s.take())]).toEqual(['2:0', '0:3', '0:0']);
  });

  it('resumed parts are skipped', () => {
    const s = new PartScheduler(FILES, 10);
    s.markDone(0, 0);
    s.markDone(0, 2);
    expect(drain(s)).toEqual(['0:1', '0:3', '2:0', '2:1', '2:2']);
  });

  it('counts failed attempts per part and keeps the lease', () => {
    const s = new PartScheduler(FILES, 10);
    const l = s.take()!;
    expect(s.failed(l)).toBe(1);
    expect(s.failed(l)).toBe(2);
    expect(key(s.take())).toBe('0:1');
    s.release(l);
    expect(key(s.take())).toBe('0:0');
  });

  it('a held file hands out nothing; a restart replans it under a new generation', () => {
    const s = new PartScheduler(FILES, 10);
    const old = s.take()!;
    s.hold(0);
    expect(key(s.take())).toBe('2:0');
    s.restartFile(0, 15);
    expect(s.complete(old)).toEqual({ fileDone: false });
    expect(s.isFileDone(0)).toBe(false);
    const fresh = s.take()!;
    expect(fresh).toMatchObject({ file: 0, part: 0, generation: 1 });
    s.complete(fresh);
    expect(key(s.take())).toBe('0:1');
  });

  it('never leases one part twice at once, and every part ends done (random operations)', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.constant({ op: 'take' as const }),
            fc.record({ op: fc.constant('complete' as const), i: fc.nat() }),
            fc.record({ op: fc.constant('release' as const), i: fc.nat() }),
            fc.record({
              op: fc.constant('prio' as const),
              f: fc.nat(2),
              a: fc.nat(45),
              b: fc.nat(45),
            }),
          ),
          { maxLength: 60 },
        ),
        (ops) => {
          const s = new PartScheduler(FILES, 10);
          const leased: PartLease[] = [];
          for (const o of ops) {
            if (o.op === 'take') {
              const l = s.take();
              if (l === undefined) continue;
              expect(leased.map(key)).not.toContain(key(l));
              leased.push(l);
            } else if (o.op === 'prio') {
              s.prioritize(FILES[o.f]!.path, {
                start: Math.min(o.a, o.b),
                end: Math.max(o.a, o.b),
              });
            } else if (leased.length > 0) {
              const [l] = leased.splice(o.i % leased.length, 1);
              if (o.op === 'complete') s.complete(l!);
              else s.release(l!);
            }
            expect(s.inFlight).toBe(leased.length);
          }
          for (const l of leased) s.complete(l);
          drain(s);
          expect(s.allDone).toBe(true);
        },
      ),
    );
  });
});
