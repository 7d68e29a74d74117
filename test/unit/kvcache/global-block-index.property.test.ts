import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { GlobalBlockIndex, type KvBatch, type KvBatchDelta } from '../../../src/kvcache/index.js';

/** The naive reference: per node, per source, a set of hashes; seq rules as documented. */
class ReferenceIndex {
  readonly nodes = new Map<
    string,
    { lastSeq: number; awaiting: boolean; asked: boolean; sources: Map<string, Set<number>> }
  >();

  apply(node: string, batch: KvBatch): string {
    let rec = this.nodes.get(node);
    if (rec === undefined)
      this.nodes.set(
        node,
        (rec = { lastSeq: 0, awaiting: true, asked: false, sources: new Map() }),
      );
    if (batch.reset === true) {
      rec.sources = new Map();
      rec.awaiting = false;
      rec.asked = false;
    } else if (rec.awaiting || batch.seq !== rec.lastSeq + 1) {
      rec.awaiting = true;
      if (rec.asked) return 'ignored';
      rec.asked = true;
      return 'gap';
    }
    rec.lastSeq = batch.seq;
    for (const d of batch.deltas) {
      const key = d.tier === 'l1' ? 'l1' : `gpu:${d.engineId}`;
      const set = rec.sources.get(key) ?? new Set<number>();
      rec.sources.set(key, set);
      if (d.cleared === true) set.clear();
      for (const h of d.removed ?? []) set.delete(h);
      for (const h of d.stored ?? []) set.add(h);
    }
    return 'applied';
  }

  disconnected(node: string): void {
    const rec = this.nodes.get(node);
    if (rec !== undefined) Object.assign(rec, { awaiting: true, asked: false });
  }

  prefix(chain: number[], node: string, key: string): number {
    const set = this.nodes.get(node)?.sources.get(key);
    let i = 0;
    while (set !== undefined && i < chain.length && set.has(chain[i]!)) i++;
    return i;
  }
}

const NODES = ['n1', 'n2'];
const engineOf = (node: string, e: number): string => `${node}-e${e}`;
const hashes = fc.array(fc.integer({ min: 0, max: 7 }), { maxLength: 6 });
const delta = (node: string): fc.Arbitrary<KvBatchDelta> =>
  fc
    .record(
      {
        tier: fc.constantFrom('gpu' as const, 'l1' as const),
        e: fc.integer({ min: 0, max: 1 }),
        cleared: fc.boolean(),
        removed: hashes,
        stored: hashes,
      },
      { requiredKeys: ['tier', 'e', 'cleared', 'removed', 'stored'] },
    )
    .map(({ tier, e, cleared, removed, stored }) => ({
      tier,
      ...(tier === 'gpu' ? { engineId: engineOf(node, e) } : {}),
      ...(cleared ? { cleared: true as const } : {}),
      removed,
      stored,
    }));
/** A step: a batch (next seq, a skipped seq, or a reset), or a disconnect. */
const step = fc.constantFrom(...NODES).chain((node) =>
  fc.oneof(
    fc.record({
      node: fc.constant(node),
      kind: fc.constantFrom('next', 'next', 'next', 'skip', 'reset'),
      deltas: fc.array(delta(node), { maxLength: 3 }),
    }),
    fc.record({
      node: fc.constant(node),
      kind: fc.constant('disconnect'),
      deltas: fc.constant([]),
    }),
  ),
);

function run(
  steps: readonly { node: string; kind: string; deltas: readonly KvBatchDelta[] }[],
  index: GlobalBlockIndex,
  ref: ReferenceIndex,
  onOutcome: (got: string, want: string) => void,
): void {
  const seqs = new Map<string, number>();
  for (const s of steps) {
    if (s.kind === 'disconnect') {
      index.disconnected(s.node);
      ref.disconnected(s.node);
      seqs.set(s.node, 0);
      continue;
    }
    const seq = (seqs.get(s.node) ?? 0) + (s.kind === 'skip' ? 2 : 1);
    seqs.set(s.node, seq);
    const batch: KvBatch = {
      seq,
      deltas: s.deltas,
      ...(s.kind === 'reset' ? { reset: true } : {}),
    };
    onOutcome(index.apply(s.node, batch), ref.apply(s.node, batch));
  }
}

describe('GlobalBlockIndex against a reference model', () => {
  it('answers every prefix query as the reference does (no bound reached)', () => {
    fc.assert(
      fc.property(
        fc.array(step, { maxLength: 40 }),
        fc.array(hashes, { maxLength: 4 }),
        (steps, chains) => {
          const index = new GlobalBlockIndex({ maxEntries: 1000, maxBlocksPerNode: 1000 });
          const ref = new ReferenceIndex();
          run(steps, index, ref, (got, want) => expect(got).toBe(want));
          for (const chain of chains)
            for (const node of NODES) {
              expect(index.l1PrefixBlocks(chain, [node])[0]).toBe(ref.prefix(chain, node, 'l1'));
              const engines = [0, 1].map((e) => engineOf(node, e));
              expect([...index.gpuPrefixBlocks(chain, engines)]).toEqual(
                engines.map((id) => ref.prefix(chain, node, `gpu:${id}`)),
              );
            }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('stays within its bounds and never claims a block the reference does not hold', () => {
    fc.assert(
      fc.property(
        fc.array(step, { maxLength: 40 }),
        fc.array(hashes, { maxLength: 4 }),
        (steps, chains) => {
          const index = new GlobalBlockIndex({ maxEntries: 4, maxBlocksPerNode: 5 });
          const ref = new ReferenceIndex();
          run(steps, index, ref, () => undefined);
          expect(index.entries).toBeLessThanOrEqual(4);
          for (const s of index.summary(10)) {
            const pairs = s.l1Blocks + s.engines.reduce((a, e) => a + e.blocks, 0);
            expect(pairs).toBeLessThanOrEqual(5);
          }
          for (const chain of chains)
            for (const node of NODES) {
              expect(index.l1PrefixBlocks(chain, [node])[0]).toBeLessThanOrEqual(
                ref.prefix(chain, node, 'l1'),
              );
              for (const e of [0, 1])
                expect(index.gpuPrefixBlocks(chain, [engineOf(node, e)])[0]).toBeLessThanOrEqual(
                  ref.prefix(chain, node, `gpu:${engineOf(node, e)}`),
                );
            }
        },
      ),
      { numRuns: 300 },
    );
  });
});
