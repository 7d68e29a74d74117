/**
 * The KV connector's side of the GPU prefix cache: how much of a chain the cache already holds,
 * and entering fetched blocks behind that hit as computed prefix. The fetch itself, its deadline
 * and its outcome are kv-connector.ts.
 */
import type { BlockPool } from './block-pool.js';
import { reportStoredRun } from './block-stored-event.js';
import type { CoreRequestSpec, KvCacheEventSink } from './core-types.js';

/** How many of `hashes`' first `max` blocks are in the GPU prefix cache, from the start. */
export function leadingCachedBlocks(
  pool: BlockPool,
  hashes: readonly number[],
  max: number,
): number {
  let k = 0;
  while (k < max && pool.lookup(hashes[k] as number) >= 0) k++;
  return k;
}

/**
 * Enters blocks [from, to) of `spec`'s chain into the GPU cache as computed prefix, behind the GPU
 * hit (pinned meanwhile so allocation cannot evict it). They are released at once: cached and
 * free, most recently used, found by the request's admission. Returns how many entered.
 */
export function insertFetchedPrefix(
  pool: BlockPool,
  spec: CoreRequestSpec,
  from: number,
  to: number,
  blockSizeTokens: number,
  events: KvCacheEventSink | undefined,
): number {
  const hashes = spec.blockHashes;
  if (leadingCachedBlocks(pool, hashes, from) < from) return 0; // the GPU hit went while we fetched
  const ids: number[] = [];
  for (let i = 0; i < from; i++) {
    const id = pool.lookup(hashes[i] as number);
    pool.touch(id);
    ids.push(id);
  }
  let runStart = -1;
  let end = from;
  for (let i = from; i < to; i++, end++) {
    const hash = hashes[i] as number;
    let id = pool.lookup(hash);
    if (id >= 0) {
      pool.touch(id);
    } else {
      if (pool.numFree === 0) break;
      id = pool.allocate();
      pool.cache(id, hash);
      if (runStart < 0) runStart = i;
    }
    ids.push(id);
  }
  if (runStart >= 0) reportStoredRun(events, spec, blockSizeTokens, runStart, end);
  pool.releaseAll(ids);
  return end - from;
}
