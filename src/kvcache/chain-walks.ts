/**
 * How far along a prompt's block chain each source holds it, read from the global block index's
 * holdings. Two walks: over given candidates (the per-candidate views and L2 peer lookups), and
 * over whoever holds the chain's first block (what a pick among many engines asks).
 *
 * The index may keep only a sample of the blocks (BlockSampler): then only sampled positions of
 * the chain are checked. A source counts up to and including the last sampled block it holds in
 * a row, the blocks before it included (vLLM caches a prompt's blocks as a prefix: a source that
 * holds block k held what k is chained on), and not the unsampled tail after it, which the index
 * cannot vouch for. With every block kept this is exactly "the index of the first block it lacks".
 */
import { mixBlockHash } from './block-table.js';

/** What the walks read of the holdings. */
export interface ChainHoldings {
  /** The ids of the sources holding `hash`; undefined when none does. */
  holders(hash: number): readonly number[] | undefined;
  holds(sourceId: number, hash: number): boolean;
  /** Whether the index keeps `hash` at all (BlockSampler.keeps). */
  keeps(hash: number): boolean;
}

/** Keeps one block hash in `every`, chosen by the hash (so every node and engine agree). */
export class BlockSampler {
  readonly every: number;

  constructor(every = 1) {
    if (!Number.isInteger(every) || every < 1)
      throw new RangeError(`sample every ${every}: must be a whole number ≥ 1`);
    this.every = every;
  }

  keeps(hash: number): boolean {
    return this.every === 1 || (mixBlockHash(hash, 0x5a17) >>> 0) % this.every === 0;
  }
}

function firstKept(h: ChainHoldings, chain: readonly number[], from: number): number {
  for (let i = from; i < chain.length; i++) if (h.keeps(chain[i] as number)) return i;
  return -1;
}

/**
 * Per candidate source (-1: none), how many blocks of `chain` from index `from` it holds in a
 * row. One pass over the chain for all of them; stops when no candidate is left.
 */
export function walkCandidates(
  h: ChainHoldings,
  chain: readonly number[],
  sourceIds: readonly number[],
  from = 0,
): Int32Array {
  const out = new Int32Array(sourceIds.length);
  const k = firstKept(h, chain, from);
  const first = k < 0 ? undefined : h.holders(chain[k] as number);
  if (first === undefined) return out;
  // Only the first kept block's holders can count more than 0: one scan picks them out
  // (through the pair table when the block is widely held, a shared system prompt's first block).
  const few = first.length <= 16;
  let alive: number[] = [];
  for (let c = 0; c < sourceIds.length; c++) {
    const id = sourceIds[c] as number;
    if (id >= 0 && (few ? first.includes(id) : h.holds(id, chain[k] as number))) alive.push(c);
  }
  let last = k;
  for (let i = k + 1; i < chain.length && alive.length > 0; i++) {
    const hash = chain[i] as number;
    if (!h.keeps(hash)) continue;
    const next: number[] = [];
    for (const c of alive) {
      if (h.holds(sourceIds[c] as number, hash)) next.push(c);
      else out[c] = last + 1 - from;
    }
    alive = next;
    last = i;
  }
  for (const c of alive) out[c] = last + 1 - from;
  return out;
}

/**
 * Every source holding the chain's first kept block from `from` whose `keyOf` is defined, with
 * how many blocks it holds in a row, by that key. Its cost follows the holders, not the sources
 * a caller might ask about.
 */
export function walkHolders(
  h: ChainHoldings,
  chain: readonly number[],
  from: number,
  keyOf: (sourceId: number) => string | undefined,
): Map<string, number> {
  const out = new Map<string, number>();
  const k = firstKept(h, chain, from);
  for (const id of (k < 0 ? undefined : h.holders(chain[k] as number)) ?? []) {
    const key = keyOf(id);
    if (key === undefined) continue;
    let last = k;
    for (let i = k + 1; i < chain.length; i++) {
      const hash = chain[i] as number;
      if (!h.keeps(hash)) continue;
      if (!h.holds(id, hash)) break;
      last = i;
    }
    out.set(key, last + 1 - from);
  }
  return out;
}
