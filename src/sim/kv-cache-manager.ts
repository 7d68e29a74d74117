/**
 * The engine core's per-request KV block bookkeeping, apart from its scheduling as vLLM V1 keeps
 * its KVCacheManager beside its Scheduler: finds a request's cached prefix, allocates blocks as it
 * grows, registers its full prompt blocks in the prefix cache (reporting them as KV events) and
 * frees them. Which request runs, waits or is preempted is decided in engine-core.ts.
 */
import type { BlockPool } from './block-pool.js';
import type { CoreRequest, KvCacheEventSink } from './core-types.js';

/** A request's longest cached prefix, as block ids, and how many of them sit on the free list. */
export interface CachedPrefix {
  readonly hits: number[];
  /** Hits that are free (evictable): taking them lowers the free count. */
  readonly evictable: number;
}

/** Allocates, caches and frees the KV blocks of the engine core's requests. */
export class KvCacheManager {
  readonly #pool: BlockPool;
  readonly #blockSizeTokens: number;
  readonly #events: KvCacheEventSink | undefined;

  /** @param events told of prefix-cache changes (vLLM KV events), when enabled. */
  constructor(pool: BlockPool, blockSizeTokens: number, events?: KvCacheEventSink) {
    this.#pool = pool;
    this.#blockSizeTokens = blockSizeTokens;
    this.#events = events;
  }

  /** The longest run of `req`'s block hashes in the prefix cache, at most `maxHitBlocks` long. */
  findCachedPrefix(req: CoreRequest, maxHitBlocks: number): CachedPrefix {
    const hits: number[] = [];
    let evictable = 0;
    for (const hash of req.spec.blockHashes) {
      if (hits.length >= maxHitBlocks) break;
      const id = this.#pool.lookup(hash);
      if (id < 0) break;
      hits.push(id);
      if (this.#pool.isFree(id)) evictable++;
    }
    return { hits, evictable };
  }

  /** Ensures `req` holds blocks for `tokens` tokens; false (holding what it had) if none free. */
  grow(req: CoreRequest, tokens: number): boolean {
    const need = Math.ceil(tokens / this.#blockSizeTokens) - req.blockIds.length;
    if (need > this.#pool.numFree) return false;
    for (let i = 0; i < need; i++) req.blockIds.push(this.#pool.allocate());
    return true;
  }

  /** Registers `req`'s newly computed full prompt blocks in the prefix cache. */
  cacheFullPromptBlocks(req: CoreRequest): void {
    const bs = this.#blockSizeTokens;
    const full = Math.min(
      Math.floor(Math.min(req.numComputedTokens, req.spec.promptLength) / bs),
      req.spec.blockHashes.length,
    );
    // Each run of newly registered blocks is one BlockStored (vLLM cache_full_blocks).
    let runStart = -1;
    for (let b = req.numHashedBlocks; b < full; b++) {
      const registered = this.#pool.cache(
        req.blockIds[b] as number,
        req.spec.blockHashes[b] as number,
      );
      if (registered && runStart < 0) runStart = b;
      if (!registered && runStart >= 0) {
        this.#reportStored(req, runStart, b);
        runStart = -1;
      }
    }
    if (runStart >= 0) this.#reportStored(req, runStart, full);
    if (full > req.numHashedBlocks) req.numHashedBlocks = full;
  }

  /** Gives back every block `req` holds (cached ones stay findable until evicted). */
  free(req: CoreRequest): void {
    this.#pool.releaseAll(req.blockIds);
    req.blockIds = [];
    req.numHashedBlocks = 0;
  }

  #reportStored(req: CoreRequest, from: number, to: number): void {
    const tokens = req.spec.promptTokens;
    if (this.#events === undefined || tokens === undefined) return;
    const bs = this.#blockSizeTokens;
    this.#events.blocksStored(
      req.spec.blockHashes.slice(from, to),
      from === 0 ? null : (req.spec.blockHashes[from - 1] as number),
      tokens.subarray(from * bs, to * bs),
      req.spec.loraId ?? null,
    );
  }
}
