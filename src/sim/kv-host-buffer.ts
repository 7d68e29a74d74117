/**
 * The KV connector's host buffer: loads that landed while their request still waits, kept by the
 * request's spec until the engine loop enters them into the GPU cache just before the request's
 * admission (landed-prefix-entry.ts). The simulator keeps no bytes here (they were verified on
 * arrival); a load is the run of chain blocks it covers. Entries go with their request (a
 * WeakMap), so the buffer holds at most what the waiting queue holds.
 */
import type { BlockPool } from './block-pool.js';
import type { CoreRequest, CoreRequestSpec, KvCacheEventSink } from './core-types.js';
import { insertFetchedPrefix } from './fetched-prefix.js';
import type { LandedPrefixes } from './landed-prefix-entry.js';

/** A load in the buffer: chain blocks [from, to), entered up to `enteredTo` (−1: never). */
interface LandedLoad {
  readonly from: number;
  readonly to: number;
  enteredTo: number;
}

/** What the buffer enters loads into, and whom it tells of their first entry. */
export interface KvHostBufferDeps {
  readonly pool: BlockPool;
  readonly blockSizeTokens: number;
  /** Told of fetched blocks entering the GPU cache (vLLM KV events), when enabled. */
  readonly events?: KvCacheEventSink;
  /** A load's tokens entered for the first time (vllm:external_prefix_cache_hits). */
  readonly onEntered: (tokens: number) => void;
}

/** Landed loads by request (see the file comment). */
export class KvHostBuffer implements LandedPrefixes<unknown> {
  readonly #d: KvHostBufferDeps;
  readonly #loads = new WeakMap<CoreRequestSpec, LandedLoad>();

  constructor(deps: KvHostBufferDeps) {
    this.#d = deps;
  }

  /** Keeps blocks [from, to) of `spec`'s chain for its request. */
  put(spec: CoreRequestSpec, from: number, to: number): void {
    this.#loads.set(spec, { from, to, enteredTo: -1 });
  }

  landed(req: CoreRequest): boolean {
    return this.#loads.has(req.spec);
  }

  /**
   * Enters the load behind the request's GPU hit (again, when evicted before its admission: a
   * copy from host memory, not a new transfer). Its tokens count as hits the first time.
   */
  enter(req: CoreRequest): void {
    const load = this.#loads.get(req.spec);
    if (load === undefined) return;
    const { pool, blockSizeTokens: bs, events } = this.#d;
    const inserted = insertFetchedPrefix(pool, req.spec, load.from, load.to, bs, events);
    if (load.enteredTo < 0 && inserted > 0) this.#d.onEntered(inserted * bs);
    load.enteredTo = load.from + inserted;
  }

  missing(req: CoreRequest): boolean {
    const load = this.#loads.get(req.spec);
    if (load === undefined || load.enteredTo <= load.from) return false;
    const tail = req.spec.blockHashes[load.enteredTo - 1] as number;
    return this.#d.pool.lookup(tail) < 0;
  }
}
