import { describe, expect, it } from 'vitest';
import { GlobalBlockIndex, type KvBatch } from '../../../src/kvcache/index.js';

const big = { maxEntries: 100_000, maxBlocksPerNode: 100_000 };
const chain = (p: number, n: number): number[] =>
  Array.from({ length: n }, (_, i) => 2 ** 40 + p * 1_000_003 + i * 7_919);
const store = (shared: boolean, port = 7000) => ({
  nativeUrl: `ikv://10.0.0.1:${port}`,
  budgetBytes: 1000,
  usedBytes: 10,
  blocks: 3,
  shared,
});
const gpu = (engineId: string, stored: number[], extra: object = {}) => ({
  tier: 'gpu' as const,
  engineId,
  stored,
  ...extra,
});
const l1 = (stored: number[], extra: object = {}) => ({ tier: 'l1' as const, stored, ...extra });
const reset = (deltas: KvBatch['deltas'], extra: Partial<KvBatch> = {}): KvBatch => ({
  seq: 1,
  reset: true,
  deltas,
  ...extra,
});

describe('GlobalBlockIndex apply', () => {
  it('indexes GPU blocks per engine and counts leading blocks only', () => {
    const index = new GlobalBlockIndex(big);
    const c = chain(1, 6);
    // e1 holds blocks 0-3, e2 holds 0-1 and 3 (a hole at 2: its prefix stops at 2).
    expect(
      index.apply('n1', reset([gpu('e1', c.slice(0, 4)), gpu('e2', [c[0]!, c[1]!, c[3]!])])),
    ).toBe('applied');
    expect([...index.gpuPrefixBlocks(c, ['e1', 'e2', 'unknown'])]).toEqual([4, 2, 0]);
    expect(index.publishes('e1')).toBe(true);
    expect(index.publishes('unknown')).toBe(false);
    expect(index.entries).toBe(4);
  });

  it.each([
    ['cleared before stored', { cleared: true }, [0, 1], 2],
    ['removed before stored (a block removed and stored again stays)', { removed: [0] }, [0], 4],
  ])('per delta: %s', (_name, extra, stored, expected) => {
    const index = new GlobalBlockIndex(big);
    const c = chain(2, 4);
    index.apply('n1', reset([gpu('e1', c.slice(0, 4))]));
    const ex = { ...extra } as { cleared?: true; removed?: number[] };
    if (ex.removed !== undefined) ex.removed = ex.removed.map((i) => c[i]!);
    index.apply('n1', {
      seq: 2,
      deltas: [
        gpu(
          'e1',
          stored.map((i) => c[i]!),
          ex,
        ),
      ],
    });
    expect(index.gpuPrefixBlocks(c, ['e1'])[0]).toBe(expected);
  });

  it('a seq gap asks for a resync once and ignores batches until the reset', () => {
    const index = new GlobalBlockIndex(big);
    const c = chain(3, 3);
    index.apply('n1', reset([gpu('e1', [c[0]!])]));
    expect(index.apply('n1', { seq: 3, deltas: [gpu('e1', [c[1]!])] })).toBe('gap');
    expect(index.apply('n1', { seq: 4, deltas: [gpu('e1', [c[1]!])] })).toBe('ignored');
    expect(index.gpuPrefixBlocks(c, ['e1'])[0]).toBe(1);
    expect(index.apply('n1', reset([gpu('e1', c)], { seq: 5 }))).toBe('applied');
    expect(index.apply('n1', { seq: 6, deltas: [] })).toBe('applied');
    expect(index.gpuPrefixBlocks(c, ['e1'])[0]).toBe(3);
    expect(index.counters).toMatchObject({ gaps: 1, ignored: 1, applied: 3 });
  });

  it('a node that starts without a reset, or reconnects, must reset first', () => {
    const index = new GlobalBlockIndex(big);
    expect(index.apply('n1', { seq: 1, deltas: [l1([5])] })).toBe('gap');
    index.apply('n1', reset([l1([5])]));
    index.disconnected('n1');
    // Holdings survive the disconnect (the engines still hold the blocks)…
    expect(index.l1PrefixBlocks([5], ['n1'])[0]).toBe(1);
    // …but the new connection's first batch must be a reset.
    expect(index.apply('n1', { seq: 2, deltas: [] })).toBe('gap');
    expect(index.apply('n1', reset([l1([6])]))).toBe('applied');
    expect([...index.l1PrefixBlocks([5], ['n1'])]).toEqual([0]);
  });

  it('a reset drops everything the node reported before, and only that node', () => {
    const index = new GlobalBlockIndex(big);
    const c = chain(4, 2);
    index.apply('n1', reset([gpu('e1', c), l1(c)]));
    index.apply('n2', reset([gpu('e2', c)]));
    index.apply('n1', reset([], { seq: 7 }));
    expect([...index.gpuPrefixBlocks(c, ['e1', 'e2'])]).toEqual([0, 2]);
    expect(index.publishes('e1')).toBe(false);
    expect(index.l1PrefixBlocks(c, ['n1'])[0]).toBe(0);
  });

  it('dropEngine and dropNode forget holdings; an engine moving nodes voids the old report', () => {
    const index = new GlobalBlockIndex(big);
    const c = chain(5, 2);
    index.apply('n1', reset([gpu('e1', c), gpu('e3', c), l1(c)]));
    index.dropEngine('e1');
    expect([...index.gpuPrefixBlocks(c, ['e1', 'e3'])]).toEqual([0, 2]);
    index.apply('n2', reset([gpu('e3', [c[0]!])]));
    expect(index.gpuPrefixBlocks(c, ['e3'])[0]).toBe(1);
    index.dropNode('n1');
    expect(index.nodeNames()).toEqual(['n2']);
    expect(index.entries).toBe(1);
    expect(index.engineIds()).toEqual(['e3']);
  });
});

describe('GlobalBlockIndex widely held blocks', () => {
  it('counts prefixes right when more engines hold the first block than a list scan serves', () => {
    const index = new GlobalBlockIndex(big);
    const engines = Array.from({ length: 40 }, (_, e) => `e${e}`);
    const [a, b, c] = chain(1, 3) as [number, number, number];
    const deltas = engines.map((id, e) =>
      gpu(id, e % 7 === 0 ? [a] : e % 5 === 0 ? [a, b] : [a, b, c]),
    );
    index.apply('n1', reset(deltas));
    expect([...index.gpuPrefixBlocks([a, b, c], [...engines, 'unknown'])]).toEqual([
      ...engines.map((_, e) => (e % 7 === 0 ? 1 : e % 5 === 0 ? 2 : 3)),
      0,
    ]);
  });
});

describe('GlobalBlockIndex bounds', () => {
  it('at maxEntries evicts a block from every holder, sparing one stored again since (CLOCK)', () => {
    const index = new GlobalBlockIndex({ maxEntries: 3, maxBlocksPerNode: 100 });
    const held = (h: number): boolean =>
      index.gpuPrefixBlocks([h], ['e1'])[0] === 1 || index.l1PrefixBlocks([h], ['n1'])[0] === 1;
    index.apply('n1', reset([gpu('e1', [1, 2, 3]), l1([1])]));
    index.apply('n1', { seq: 2, deltas: [gpu('e1', [4])] });
    expect(index.entries).toBe(3);
    expect(index.evictions.entries).toBe(1);
    // The first sweep cleared every mark; one of 1..3 left, from every holder (1 has two).
    const [gone] = [1, 2, 3].filter((h) => !held(h));
    const [kept, other] = [1, 2, 3].filter((h) => h !== gone) as [number, number];
    expect(gone).toBeDefined();
    expect(held(4)).toBe(true);
    // Store `kept` again: the next eviction must take `other`, the only block not stored since.
    index.apply('n1', { seq: 3, deltas: [gpu('e1', [kept])] });
    index.apply('n1', { seq: 4, deltas: [gpu('e1', [5])] });
    expect(index.evictions.entries).toBe(2);
    expect([kept, 4, 5].map((h) => held(h))).toEqual([true, true, true]);
    expect(held(other)).toBe(false);
  });

  it('keeps at most maxBlocksPerNode pairs per node, taking from its largest source', () => {
    const index = new GlobalBlockIndex({ maxEntries: 100, maxBlocksPerNode: 4 });
    index.apply('n1', reset([gpu('e1', [1, 2, 3]), l1([10, 11])]));
    expect(index.evictions.nodeBound).toBe(1);
    // e1 was the largest: its oldest block (1) left.
    expect([...index.gpuPrefixBlocks([2, 3], ['e1'])]).toEqual([2]);
    expect(index.gpuPrefixBlocks([1], ['e1'])[0]).toBe(0);
    expect(index.l1PrefixBlocks([10, 11], ['n1'])[0]).toBe(2);
    index.apply('n2', reset([gpu('e2', [1, 2, 3, 4])]));
    expect(index.evictions.nodeBound).toBe(1);
  });

  it('ignores batches of new nodes beyond maxNodes', () => {
    const index = new GlobalBlockIndex({ ...big, maxNodes: 1 });
    index.apply('n1', reset([]));
    expect(index.apply('n2', reset([l1([1])]))).toBe('ignored');
    expect(index.nodeNames()).toEqual(['n1']);
  });
});

describe('GlobalBlockIndex lookup', () => {
  it('lists sharing peers with leading blocks, best first, without the asker', () => {
    const index = new GlobalBlockIndex({ ...big, maxHolders: 2 });
    const c = chain(6, 4);
    index.apply('a', reset([l1(c)], { store: store(true, 1) }));
    index.apply('b', reset([l1(c.slice(0, 2))], { store: store(true, 2) }));
    index.apply('c', reset([l1(c.slice(0, 3))], { store: store(false, 3) }));
    index.apply('d', reset([l1(c.slice(0, 3))], { store: store(true, 4) }));
    index.apply('e', reset([l1(c.slice(1))], { store: store(true, 5) }));
    expect(index.lookup(c, 'x')).toEqual([
      { node: 'a', nativeUrl: 'ikv://10.0.0.1:1', blocks: 4 },
      { node: 'd', nativeUrl: 'ikv://10.0.0.1:4', blocks: 3 },
    ]);
    expect(index.lookup(c, 'a').map((h) => h.node)).toEqual(['d', 'b']);
    expect(index.lookup(chain(7, 2))).toEqual([]);
    expect(index.storeOf('c')?.shared).toBe(false);
    expect(index.counters.lookups).toBe(3);
  });

  it('summarizes nodes, their stores and per-engine block counts, bounded', () => {
    const index = new GlobalBlockIndex(big);
    index.apply('b', reset([gpu('e2', [1, 2])], { store: store(true) }));
    index.apply('a', reset([gpu('e1', [1]), l1([3, 4, 5])]));
    const summary = index.summary(1);
    expect(summary).toEqual([
      {
        node: 'a',
        awaitingReset: false,
        store: undefined,
        l1Blocks: 3,
        engines: [{ engineId: 'e1', node: 'a', blocks: 1 }],
      },
    ]);
  });
});
