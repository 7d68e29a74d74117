/**
 * `bench kv-bound`'s `precise-l1*` modes score an engine's L1 run from the oracle's tier as the
 * leader's index would: what the tier holds for the engine's own node, from where its GPU prefix
 * ends. A peer's blocks (fetchable as L2) are not credited, as the leader credits none.
 */
import { describe, expect, it } from 'vitest';
import { BoundedKnownBlocks } from '../../../src/bench/kv-bound-l1.js';
import { NodeKnownBlocks } from '../../../src/bench/kv-bound-nodes.js';
import { TierBlockView } from '../../../src/bench/tier-block-view.js';
import { BlockPool } from '../../../src/sim/block-pool.js';

const chain = [11, 12, 13, 14, 15];

describe('TierBlockView', () => {
  it('credits a per-node tier to its own node only, from the given block', () => {
    const tier = new NodeKnownBlocks({
      blocks: 100,
      policy: 'lru',
      nodes: 2,
      keepAfterFetches: 2,
      maxFetchCounts: 100,
    });
    tier.add(chain.slice(0, 4), undefined, 'node-0');
    const view = new TierBlockView(new Map());
    view.attach('node-0', tier);
    view.attach('node-1', tier);
    expect(tier.has(11, 'node-1')).toBe(true); // node-1 could fetch it from node-0 (L2)…
    expect(view.l1PrefixHolders(chain)).toEqual(new Map([['node-0', 4]])); // …but is not scored
    expect(view.l1PrefixHolders(chain, 2)).toEqual(new Map([['node-0', 2]]));
    expect(view.l1PrefixHolders(chain, 4)).toEqual(new Map());
  });

  it('credits a pooled tier to every node; GPU holders still come from the engines’ pools', () => {
    const tier = new BoundedKnownBlocks({ blocks: 100, policy: 's3fifo' });
    tier.add(chain);
    const pool = new BlockPool(8);
    pool.cache(pool.allocate(), 11);
    const view = new TierBlockView(new Map([['engine-0', pool]]));
    view.attach('node-0', tier);
    view.attach('node-1', tier);
    expect(view.l1PrefixHolders(chain, 1)).toEqual(
      new Map([
        ['node-0', 4],
        ['node-1', 4],
      ]),
    );
    expect(view.gpuPrefixHolders(chain)).toEqual(new Map([['engine-0', 1]]));
  });

  it('knows no L1 before the replay attached its tier', () => {
    expect(new TierBlockView(new Map()).l1PrefixHolders(chain)).toEqual(new Map());
  });
});
