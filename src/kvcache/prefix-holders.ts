/**
 * The prefix index's block table, one entry at a time: each block key maps to a flat holder list
 * `[blockHash, gen, routedAtMs, gen, routedAtMs, …]` (holders oldest first). These functions read
 * and rewrite those lists in place — matching a prompt's leading blocks, refreshing a holder,
 * dropping an incarnation past its capacity — with no allocation on the hot path. Apart from
 * prefix-index.ts so the index's lifecycle (records, incarnations, corrections) reads on its own.
 * Pure: time is passed in.
 */
import type { LRUCache } from 'lru-cache';
import type { EndpointRecord } from './prefix-index-record.js';
import type { PrefixCacheConfig } from './prefix-cache-config.js';

/** Index keys are block hashes modulo 2^30: small integers. */
export const KEY_SPACE = 0x40000000;

/** The block table: block key → holder list (see the file comment). */
export type BlockTable = LRUCache<number, number[]>;

/**
 * Leading blocks of `hashes` each candidate holds, walking in order and stopping at the first
 * block no candidate still in the run holds. `gens[i]` is candidate i's incarnation, or 0 to
 * leave it out; a holder routed before `oldestMs` is expired. Returns a count per candidate.
 */
export function matchLeadingBlocks(
  blocks: BlockTable,
  hashes: readonly number[],
  gens: readonly number[],
  oldestMs: number,
): Int32Array {
  const matched = new Int32Array(gens.length);
  // Only a holder of the first block can match at all: map those few holders (not every
  // candidate) to their candidate index, so a miss or a match costs one scan of `gens`.
  const first = hashes.length > 0 ? blocks.peek((hashes[0] as number) % KEY_SPACE) : undefined;
  if (first === undefined || first[0] !== hashes[0]) return matched;
  const indexOf = new Map<number, number>();
  for (let k = 1; k < first.length; k += 2) indexOf.set(first[k] as number, -1);
  for (let i = 0; i < gens.length; i++) {
    const g = gens[i] as number;
    if (g !== 0 && indexOf.has(g)) indexOf.set(g, i);
  }
  for (const [g, i] of indexOf) if (i < 0) indexOf.delete(g);
  if (indexOf.size === 0) return matched;
  for (const [g, blockCount] of leadingHolders(blocks, hashes, oldestMs, indexOf))
    matched[indexOf.get(g) as number] = blockCount;
  return matched;
}

/**
 * Every incarnation (of those in `among`, when given) holding leading blocks of `hashes`, routed
 * at or after `oldestMs` → how many; the walk stops at the first block none of them extends to.
 * From the holders' side, so its cost follows the few holders. Dead incarnations are the caller's
 * to drop.
 */
export function leadingHolders(
  blocks: BlockTable,
  hashes: readonly number[],
  oldestMs: number,
  among?: { has(gen: number): boolean },
): Map<number, number> {
  const matched = new Map<number, number>();
  for (let b = 0; b < hashes.length; b++) {
    const hash = hashes[b] as number;
    const holders = blocks.peek(hash % KEY_SPACE);
    if (holders?.[0] !== hash) break;
    let extended = false;
    for (let k = 1; k < holders.length; k += 2) {
      const gen = holders[k] as number;
      if ((holders[k + 1] as number) < oldestMs || (matched.get(gen) ?? 0) !== b) continue;
      if (among !== undefined && !among.has(gen)) continue;
      matched.set(gen, b + 1);
      extended = true;
    }
    if (!extended) break;
  }
  return matched;
}

/**
 * Makes `gen` the newest holder of block `key` as of `nowMs`, compacting `holders` in place (no
 * allocation on the hot path): drops `gen`'s old pair, pairs of dead incarnations (not in
 * `liveGens`) and pairs routed before `oldestMs`; then drops the oldest holders beyond
 * `maxPairs / 2` and appends the fresh pair. Each dropped live holder forgets `key`.
 */
export function refreshHolder(
  holders: number[],
  key: number,
  gen: number,
  nowMs: number,
  oldestMs: number,
  maxPairs: number,
  liveGens: ReadonlyMap<number, EndpointRecord>,
): void {
  let w = 1;
  for (let k = 1; k < holders.length; k += 2) {
    const g = holders[k] as number;
    const at = holders[k + 1] as number;
    if (g === gen) continue;
    const other = liveGens.get(g);
    if (other === undefined) continue;
    if (at < oldestMs) {
      other.keys.delete(key);
      continue;
    }
    holders[w] = g;
    holders[w + 1] = at;
    w += 2;
  }
  holders.length = w;
  if (w + 1 > maxPairs) {
    const drop = w + 1 - maxPairs; // the oldest holders
    for (let k = 1; k < 1 + drop; k += 2) liveGens.get(holders[k] as number)?.keys.delete(key);
    holders.splice(1, drop);
  }
  holders.push(gen, nowMs);
}

/**
 * Drops the endpoint's least recently routed blocks beyond its capacity in indexed blocks
 * (its KV capacity in tokens over the tokens one indexed block stands for); a block left
 * with no holder leaves the table.
 */
export function trimToCapacity(
  blocks: BlockTable,
  rec: EndpointRecord,
  config: PrefixCacheConfig,
): void {
  const capacity = Math.max(
    1,
    Math.floor(rec.capacityTokens / (config.blockSizeTokens * config.indexStrideBlocks)),
  );
  if (rec.keys.size <= capacity) return;
  for (const key of rec.keys) {
    if (rec.keys.size <= capacity) break;
    rec.keys.delete(key);
    const holders = blocks.peek(key);
    if (holders === undefined) continue;
    let w = 1;
    for (let k = 1; k < holders.length; k += 2) {
      if (holders[k] === rec.gen) continue;
      holders[w] = holders[k] as number;
      holders[w + 1] = holders[k + 1] as number;
      w += 2;
    }
    holders.length = w;
    if (w === 1) blocks.delete(key);
  }
}
