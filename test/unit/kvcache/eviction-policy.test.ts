import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  createEvictionPolicy,
  type BlockKey,
  type EvictionPolicy,
  type EvictionPolicyName,
} from '../../../src/kvcache/index.js';
import { LruModel, S3FifoModel, type Reports } from './eviction-reference.js';

type Op =
  | { op: 'put'; key: number; bytes: number }
  | { op: 'get'; key: number }
  | { op: 'del'; key: number }
  | { op: 'evictOne' };

const KEYS = 12;
const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      op: fc.constant('put' as const),
      key: fc.nat(KEYS - 1),
      bytes: fc.integer({ min: 1, max: 5 }),
    }),
  },
  { weight: 4, arbitrary: fc.record({ op: fc.constant('get' as const), key: fc.nat(KEYS - 1) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('del' as const), key: fc.nat(KEYS - 1) }) },
  { weight: 1, arbitrary: fc.constant({ op: 'evictOne' as const }) },
);

function withReports(
  name: EvictionPolicyName,
  capacityBytes: number,
  s3fifo?: { smallRatio: number; promotionThreshold: number },
): { policy: EvictionPolicy; reports: Reports } {
  const reports: Reports = { evicted: [], hot: [] };
  const policy = createEvictionPolicy(name, {
    capacityBytes,
    ...(s3fifo === undefined ? {} : { s3fifo }),
    onEvict: (key) => reports.evicted.push(key),
    onHot: (key) => reports.hot.push(key),
  });
  return { policy, reports };
}

type Model = LruModel | S3FifoModel;

/** Runs `ops` on both, comparing every answer, every report and the resident set after each op. */
function replay(policy: EvictionPolicy, reports: Reports, model: Model, ops: Op[]): void {
  ops.forEach((o, i) => {
    const where = `op ${i} ${JSON.stringify(o)}`;
    if (o.op === 'put')
      expect(policy.insert(o.key, o.bytes), where).toBe(model.insert(o.key, o.bytes));
    else if (o.op === 'get') expect(policy.access(o.key), where).toBe(model.access(o.key));
    else if (o.op === 'del') expect(policy.remove(o.key), where).toBe(model.remove(o.key));
    else expect(policy.evictOne(), where).toBe(model.evictOne());
    expect(reports, where).toEqual(model.reports);
    expect(policy.usedBytes, where).toBe(model.used());
    expect(policy.usedBytes, where).toBeLessThanOrEqual(policy.capacityBytes);
    const resident = (has: (k: BlockKey) => boolean): number[] =>
      Array.from({ length: KEYS }, (_, k) => k).filter(has);
    expect(
      resident((k) => policy.has(k)),
      where,
    ).toEqual(resident((k) => model.has(k)));
    expect(policy.size, where).toBe(resident((k) => model.has(k)).length);
  });
}

describe('LRU against its reference model', () => {
  it('answers, evicts and reports hot keys identically on generated traces', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 16 }),
        fc.array(opArb, { maxLength: 80 }),
        (cap, ops) => {
          const { policy, reports } = withReports('lru', cap);
          replay(policy, reports, new LruModel(cap), ops);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('evicts the least recently read first', () => {
    const { policy, reports } = withReports('lru', 3);
    for (const k of [1, 2, 3]) policy.insert(k, 1);
    policy.access(1);
    policy.insert(4, 1);
    policy.insert(5, 1);
    expect(reports.evicted).toEqual([2, 3]);
    expect(reports.hot).toEqual([1]);
  });
});

describe('S3-FIFO against its reference model', () => {
  it('answers, evicts and reports hot keys identically with AIBrix defaults', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 20 }),
        fc.array(opArb, { maxLength: 80 }),
        (cap, ops) => {
          const { policy, reports } = withReports('s3fifo', cap);
          replay(policy, reports, new S3FifoModel(cap), ops);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('matches for every allowed promotion threshold and small-queue share', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 20 }),
        fc.integer({ min: 1, max: 3 }),
        fc.double({ min: 0.05, max: 0.95, noNaN: true }),
        fc.array(opArb, { maxLength: 80 }),
        (cap, threshold, ratio, ops) => {
          const { policy, reports } = withReports('s3fifo', cap, {
            smallRatio: ratio,
            promotionThreshold: threshold,
          });
          replay(policy, reports, new S3FifoModel(cap, ratio, threshold), ops);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('follows a hand-worked trace (capacity 4 one-byte blocks: small share 1 byte, main 3)', () => {
    const { policy: p, reports } = withReports('s3fifo', 4);
    const rows: [string, () => void, BlockKey[], BlockKey[]][] = [
      // what happens, the step, evicted so far, hot so far
      [
        'put 1..4: all fit (small may exceed its share while the cache has room)',
        () => [1, 2, 3, 4].forEach((k) => p.insert(k, 1)),
        [],
        [],
      ],
      [
        'get 1: the read that reaches threshold 1 in small is hot',
        () => expect(p.access(1)).toBe(true),
        [],
        [1],
      ],
      [
        'put 5: 1 (read once) is promoted to main; 2 (never read) is evicted to the ghost',
        () => p.insert(5, 1),
        [2],
        [1],
      ],
      [
        'put 2: a ghost hit enters main directly and is hot; 3 leaves small',
        () => p.insert(2, 1),
        [2, 3],
        [1, 2],
      ],
      [
        'get 4 is hot; get 3 (a ghost) is a miss',
        () => {
          expect(p.access(4)).toBe(true);
          expect(p.access(3)).toBe(false);
        },
        [2, 3],
        [1, 2, 4],
      ],
      [
        'put 6: 4 (read once) is promoted, then 5 is evicted',
        () => p.insert(6, 1),
        [2, 3, 5],
        [1, 2, 4],
      ],
      [
        'get 6; put 7: 6 is promoted, main is over its share, its tail 1 (hotness reset on promotion) goes',
        () => {
          p.access(6);
          p.insert(7, 1);
        },
        [2, 3, 5, 1],
        [1, 2, 4, 6],
      ],
      [
        'get 2 (in main: no report); get 7; put 8: 7 promoted, 2 gets a second lap, 4 goes',
        () => {
          p.access(2);
          p.access(7);
          p.insert(8, 1);
        },
        [2, 3, 5, 1, 4],
        [1, 2, 4, 6, 7],
      ],
    ];
    for (const [what, step, evicted, hot] of rows) {
      step();
      expect(reports.evicted, what).toEqual(evicted);
      expect(reports.hot, what).toEqual(hot);
      expect(p.usedBytes, what).toBeLessThanOrEqual(4);
    }
  });

  it('keeps its ghost queue bounded by the main share', () => {
    // Capacity 10 one-byte blocks never read: 0..989 are evicted through the ghost, whose bound
    // is the main share (7 bytes), so only the 7 newest ghosts (983..989) are remembered.
    const { policy, reports } = withReports('s3fifo', 10);
    for (let k = 0; k < 1000; k++) policy.insert(k, 1);
    policy.insert(0, 1); // long forgotten: a plain new key, not hot
    expect(reports.hot).toEqual([]);
    policy.insert(989, 1); // still a ghost: enters main, hot
    expect(reports.hot).toEqual([989]);
  });

  it('refuses a block heavier than the whole capacity and changes nothing', () => {
    for (const name of ['s3fifo', 'lru'] as const) {
      const { policy, reports } = withReports(name, 8);
      policy.insert(1, 4);
      expect(policy.insert(2, 9)).toBe(false);
      expect(policy.has(1)).toBe(true);
      expect(policy.usedBytes).toBe(4);
      expect(reports.evicted).toEqual([]);
    }
  });

  it('rejects knobs outside what AIBrix allows', () => {
    expect(() =>
      createEvictionPolicy('s3fifo', { capacityBytes: 10, s3fifo: { promotionThreshold: 4 } }),
    ).toThrow(RangeError);
    expect(() =>
      createEvictionPolicy('s3fifo', { capacityBytes: 10, s3fifo: { smallRatio: 1 } }),
    ).toThrow(RangeError);
  });
});
