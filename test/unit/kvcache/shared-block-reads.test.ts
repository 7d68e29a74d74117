import { describe, expect, it } from 'vitest';
import {
  GlobalBlockIndex,
  SharedBlockReads,
  writing,
  type BlockSource,
  type KvBatchDelta,
} from '../../../src/kvcache/index.js';
import { SeededRng } from '../../../src/shared/index.js';

const NODES = ['n0', 'n1', 'n2'];
const ENGINES = (node: string): string[] => [0, 1, 2].map((e) => `${node}/e${e}`);

/** An index writing to shared memory, and a reader fed its source events and buffer moves. */
function sharedPair(sampleEvery = 1): {
  index: GlobalBlockIndex;
  reads: SharedBlockReads;
  control: Int32Array;
  sync: () => void;
} {
  const control = new Int32Array(new SharedArrayBuffer(4));
  const reads = new SharedBlockReads(control, sampleEvery);
  const onSource = (s: BlockSource, added: boolean): void =>
    reads.source(s.id, added ? s : undefined);
  const index = new GlobalBlockIndex({
    maxEntries: 50_000,
    maxBlocksPerNode: 20_000,
    sampleEvery,
    sharing: { allocate: (n) => new SharedArrayBuffer(n), onSource },
  });
  let generation = -1;
  const sync = (): void => {
    if (index.buffersGeneration === generation) return;
    generation = index.buffersGeneration;
    reads.attach(index.buffers());
  };
  sync();
  return { index, reads, control, sync };
}

/** Chains over a small alphabet of prefixes, so sources share leading blocks. */
function chainOf(rng: SeededRng, length: number): number[] {
  const root = Math.floor(rng.next() * 40);
  return Array.from({ length }, (_, i) => 2 ** 40 + root * 1000 + (i < 3 ? i : i * 7 + root));
}

function randomDelta(rng: SeededRng, node: string): KvBatchDelta {
  const chain = chainOf(rng, 1 + Math.floor(rng.next() * 30));
  const l1 = rng.next() < 0.3;
  const cut = Math.floor(rng.next() * chain.length);
  return {
    tier: l1 ? 'l1' : 'gpu',
    ...(l1 ? {} : { engineId: ENGINES(node)[Math.floor(rng.next() * 3)] }),
    ...(rng.next() < 0.02 ? { cleared: true as const } : {}),
    removed: rng.next() < 0.3 ? chain.slice(cut) : [],
    stored: chain.slice(0, rng.next() < 0.5 ? chain.length : cut),
  };
}

describe('SharedBlockReads', () => {
  it.each([1, 3])(
    'reads through shared memory what the index itself reads (sample every %i)',
    (every) => {
      const rng = new SeededRng(7 + every);
      const { index, reads, control, sync } = sharedPair(every);
      const seqs = new Map<string, number>();
      for (const node of NODES) {
        index.apply(node, { seq: 1, reset: true, deltas: [] });
        seqs.set(node, 1);
      }
      let compared = 0;
      for (let step = 0; step < 600; step++) {
        const node = NODES[step % NODES.length] as string;
        const seq = (seqs.get(node) as number) + 1;
        seqs.set(node, seq);
        const deltas = Array.from({ length: 4 }, () => randomDelta(rng, node));
        writing(control, () => index.apply(node, { seq, deltas }));
        if (step === 300) writing(control, () => index.dropEngine('n1/e1'));
        sync();
        for (let q = 0; q < 3; q++) {
          const chain = chainOf(rng, 20);
          const from = Math.floor(rng.next() * 5);
          const engines = NODES.flatMap(ENGINES);
          expect(reads.gpuPrefixHolders(chain)).toEqual(index.gpuPrefixHolders(chain));
          expect(reads.l1PrefixHolders(chain, from)).toEqual(index.l1PrefixHolders(chain, from));
          expect([...reads.gpuPrefixBlocks(chain, engines)]).toEqual([
            ...index.gpuPrefixBlocks(chain, engines),
          ]);
          expect([...reads.l1PrefixBlocks(chain, NODES, from)]).toEqual([
            ...index.l1PrefixBlocks(chain, NODES, from),
          ]);
          for (const e of engines) expect(reads.publishes(e)).toBe(index.publishes(e));
          for (const n of NODES) expect(reads.hasL1Store(n)).toBe(index.hasL1Store(n));
          if (index.gpuPrefixHolders(chain).size > 0) compared++;
        }
      }
      // The tables grew past their first buffers, and the walks found real holders.
      expect(index.buffersGeneration).toBeGreaterThan(0);
      expect(compared).toBeGreaterThan(100);
    },
  );

  it('answers from the buffers it has until told they moved, and forgets all on clear', () => {
    const { index, reads, sync } = sharedPair();
    const chain = [11, 12, 13];
    index.apply('n0', { seq: 1, reset: true, deltas: [] });
    index.apply('n0', { seq: 2, deltas: [{ tier: 'gpu', engineId: 'n0/e0', stored: chain }] });
    sync();
    expect(reads.gpuPrefixHolders(chain)).toEqual(new Map([['n0/e0', 3]]));
    // Enough blocks to move both tables to new buffers, not yet attached: the reader keeps
    // answering (from memory the writer no longer updates), then catches up on attach.
    const more = Array.from({ length: 5000 }, (_, i) => 1000 + i);
    index.apply('n0', { seq: 3, deltas: [{ tier: 'gpu', engineId: 'n0/e1', stored: more }] });
    expect(reads.gpuPrefixHolders(more.slice(0, 4)).get('n0/e1') ?? 0).toBeLessThanOrEqual(4);
    sync();
    expect(reads.gpuPrefixHolders(more.slice(0, 4))).toEqual(new Map([['n0/e1', 4]]));
    reads.clear();
    expect(reads.gpuPrefixHolders(chain)).toEqual(new Map());
    expect(reads.publishes('n0/e0')).toBe(false);
  });

  it('knows which nodes run an L1 store, and forgets one whose source is dropped', () => {
    const { index, reads } = sharedPair();
    index.apply('n0', { seq: 1, reset: true, deltas: [{ tier: 'l1', stored: [1, 2] }] });
    index.apply('n1', {
      seq: 1,
      reset: true,
      deltas: [{ tier: 'gpu', engineId: 'n1/e0', stored: [1] }],
    });
    expect(reads.hasL1Store('n0')).toBe(true);
    expect(reads.hasL1Store('n1')).toBe(false);
    index.dropNode('n0');
    expect(reads.hasL1Store('n0')).toBe(false);
  });

  it('a read during a change that never ends still returns', () => {
    const { index, reads, control, sync } = sharedPair();
    index.apply('n0', { seq: 1, reset: true, deltas: [] });
    index.apply('n0', { seq: 2, deltas: [{ tier: 'gpu', engineId: 'n0/e0', stored: [5, 6] }] });
    sync();
    Atomics.add(control, 0, 1); // odd: a writer mid-change, forever
    expect(reads.gpuPrefixHolders([5, 6])).toEqual(new Map([['n0/e0', 2]]));
  });

  it('stops walking a holder list that a racing writer left looping', () => {
    const { index, reads, sync } = sharedPair();
    index.apply('n0', { seq: 1, reset: true, deltas: [] });
    index.apply('n0', {
      seq: 2,
      deltas: [
        { tier: 'gpu', engineId: 'n0/e0', stored: [9] },
        { tier: 'gpu', engineId: 'n0/e1', stored: [9] },
      ],
    });
    sync();
    // Pair 0 ends block 9's holder list (pair 1 came later, in front): link it to itself.
    new Int32Array(index.buffers().pairPool)[6] = 0;
    const holders = reads.gpuPrefixHolders([9]);
    expect(holders.size).toBeGreaterThan(0);
    expect(holders.size).toBeLessThanOrEqual(2);
  });
});
