import { describe, expect, it } from 'vitest';
import { NodeKnownBlocks } from '../../../src/bench/kv-bound-nodes.js';

const tier = (blocks: number) =>
  new NodeKnownBlocks({
    blocks,
    policy: 'lru',
    nodes: 2,
    keepAfterFetches: 2,
    maxFetchCounts: 100,
  });

describe('NodeKnownBlocks (oracle-l1-nodes)', () => {
  it('keeps a computed block on its node; a peer loads it, and keeps a copy on its second fetch', () => {
    const t = tier(100);
    t.add([11, 12], undefined, 'node-0');
    expect(t.has(11, 'node-0')).toBe(true);
    expect(t.has(11, 'node-1')).toBe(true); // from the peer (L2)
    expect(t.has(13, 'node-1')).toBe(false);
    t.read([11, 12], 0, 2, 'node-1');
    expect([t.peerReads, t.copies]).toEqual([2, 0]);
    t.read([11], 0, 1, 'node-1');
    expect([t.peerReads, t.copies]).toEqual([3, 1]);
    // Node-1's own copy is read locally from now on: no more peer reads.
    t.read([11], 0, 1, 'node-1');
    expect(t.peerReads).toBe(3);
  });

  it('splits the total between the nodes: a node overflows at its share', () => {
    const t = tier(4);
    t.add([1, 2], undefined, 'node-0');
    t.add([3, 4], undefined, 'node-1');
    expect(t.overflowed).toBe(false);
    t.add([5], undefined, 'node-0');
    expect(t.overflowed).toBe(true);
    expect([1, 2, 5].filter((h) => t.has(h, 'node-0'))).toHaveLength(2);
  });

  it('needs the engine’s node', () => {
    expect(() => tier(4).add([1])).toThrow(/node/);
  });
});
