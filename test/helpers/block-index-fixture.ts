/** A small global block index over one prompt's chain, for precise-routing tests. */
import { GlobalBlockIndex } from '../../src/kvcache/index.js';

/**
 * e1 on n1 (no L1 store) holds the chain's first 10 blocks in GPU; e2 on n2 publishes events but
 * holds nothing in GPU; n2's L1 holds the first `l1Blocks` blocks.
 */
export function twoNodeBlockIndex(chain: readonly number[], l1Blocks = 40): GlobalBlockIndex {
  const index = new GlobalBlockIndex({ maxEntries: 10_000, maxBlocksPerNode: 10_000 });
  index.apply('n1', {
    seq: 1,
    reset: true,
    deltas: [{ tier: 'gpu', engineId: 'e1', stored: chain.slice(0, 10) }],
  });
  index.apply('n2', {
    seq: 1,
    reset: true,
    deltas: [
      { tier: 'gpu', engineId: 'e2', stored: [] },
      { tier: 'l1', stored: chain.slice(0, l1Blocks) },
    ],
  });
  return index;
}
