/**
 * The simulator's KV connector ("InfernodeConnector", --kv-transfer-config): the engine as a KV
 * client of its node agent's block service. Offload: a block whose hash leaves the GPU prefix
 * cache is queued (bounded, deduplicated) and put in batches off the engine loop; a failed put
 * is dropped and counted. Load: before a request is queued, the part of its prompt's chain past
 * the GPU hit is looked up in the store (longestPrefix); it is fetched only when the modeled
 * transfer beats recomputing it (kv-transfer-model.ts), verified against the hash-derived
 * payload, held for the modeled transfer time (vLLM's WAITING_FOR_REMOTE_KVS; other requests go
 * on) and entered into the GPU cache as computed prefix. Any failure means recompute, never an
 * error to the client. The store client is passed in (a composition root builds it).
 */
import { linkedSignal, sleep, toError, type Logger } from '../shared/index.js';
import type { BlockPool } from './block-pool.js';
import type { CoreRequestSpec, KvCacheEventSink } from './core-types.js';
import type { KvConnectorMetrics } from './kv-connector-metrics.js';
import type { KvTransferConfig } from './kv-transfer-config.js';
import {
  blockPayload,
  decideFetch,
  isBlockPayload,
  payloadBytes,
  transferTimeS,
} from './kv-transfer-model.js';
import type { HardwareProfile } from './profiles.js';

/** Per-call bounds of a store call. */
export interface KvStoreCallOptions {
  readonly signal?: AbortSignal;
  readonly timeoutMs?: number;
}

/** The block-service calls the connector makes (kvcache's BlockClient has this shape). */
export interface KvBlockStore {
  putMany(
    url: string,
    blocks: readonly { readonly key: number; readonly bytes: Uint8Array }[],
    options?: KvStoreCallOptions,
  ): Promise<readonly string[]>;
  getMany(
    url: string,
    keys: readonly number[],
    options?: KvStoreCallOptions,
  ): Promise<Map<number, Uint8Array>>;
  longestPrefix(
    url: string,
    keys: readonly number[],
    options?: KvStoreCallOptions,
  ): Promise<number>;
  close(): void;
}

/** Told when a hash leaves the GPU prefix cache (the eviction half of KvCacheEventSink). */
export type KvEvictionListener = Pick<KvCacheEventSink, 'blockRemoved'>;

/** What the connector works with. */
export interface KvConnectorDeps {
  readonly config: KvTransferConfig;
  readonly store: KvBlockStore;
  readonly profile: HardwareProfile;
  readonly pool: BlockPool;
  readonly blockSizeTokens: number;
  readonly metrics: KvConnectorMetrics;
  /** Simulated seconds per wall second: the modeled transfer waits transferS / speed. */
  readonly speed: number;
  readonly log: Logger;
  /** Told of fetched blocks entering the GPU cache (vLLM KV events), when enabled. */
  readonly events?: KvCacheEventSink;
}

/** Evicted blocks per put call. */
const OFFLOAD_BATCH_BLOCKS = 64;

/** The connector of one simulator (see the file comment). */
export class KvConnector implements KvEvictionListener {
  readonly #d: KvConnectorDeps;
  readonly #queue = new Set<number>();
  readonly #stop = new AbortController();
  readonly #payloadSize: number;
  readonly #trueBlockBytes: number;
  #flushing = false;

  constructor(deps: KvConnectorDeps) {
    this.#d = deps;
    this.#trueBlockBytes = deps.blockSizeTokens * deps.profile.kvBytesPerToken;
    this.#payloadSize = payloadBytes(this.#trueBlockBytes, deps.config.bytesFraction);
  }

  /** Real bytes of one block's payload. */
  get payloadSize(): number {
    return this.#payloadSize;
  }

  /** A hash left the GPU cache: queue it for offload (dropped and counted when full). */
  blockRemoved(hash: number): void {
    if (this.#d.config.kvRole === 'kv_consumer' || this.#stop.signal.aborted) return;
    if (this.#queue.has(hash)) return;
    if (this.#queue.size >= this.#d.config.maxOffloadQueue) {
      this.#d.metrics.dropped('queue_full', 1);
      return;
    }
    this.#queue.add(hash);
    if (!this.#flushing) {
      this.#flushing = true;
      setImmediate(() => void this.#flush());
    }
  }

  /**
   * Loads what the store holds of `spec`'s chain past the GPU hit, when that beats recompute.
   * Resolves (never rejects) with the modeled transfer seconds the request waited, 0 if none.
   */
  async loadPrefix(spec: CoreRequestSpec): Promise<number> {
    const d = this.#d;
    if (d.config.kvRole === 'kv_producer' || this.#stop.signal.aborted) return 0;
    const bs = d.blockSizeTokens;
    // The last prompt token is always computed, as in the core's admission.
    const maxBlocks = Math.min(spec.blockHashes.length, Math.floor((spec.promptLength - 1) / bs));
    const gpuHit = this.#leadingHits(spec.blockHashes, maxBlocks);
    if (gpuHit >= maxBlocks) return 0;
    const chain = spec.blockHashes.slice(gpuHit, maxBlocks);
    d.metrics.externalQueries.inc(spec.promptLength);
    d.metrics.waitingForRemote.inc();
    const call = linkedSignal([this.#stop.signal], d.config.timeoutMs * 4);
    const opts = { signal: call.signal, timeoutMs: d.config.timeoutMs };
    try {
      const held = await d.store.longestPrefix(d.config.url, chain, opts);
      if (held <= 0) {
        d.metrics.decided('miss');
        return 0;
      }
      if (!decideFetch(d.profile, held * bs, d.config.linkBytesPerS).fetch) {
        d.metrics.decided('recomputed');
        return 0;
      }
      const keys = chain.slice(0, Math.min(held, chain.length));
      const got = await d.store.getMany(d.config.url, keys, opts);
      const valid = this.#verifiedRun(keys, got);
      const transferS = transferTimeS(d.profile, valid * bs, d.config.linkBytesPerS);
      if (valid > 0) await sleep((transferS / d.speed) * 1000, this.#stop.signal);
      const inserted = valid === 0 ? 0 : this.#insert(spec, gpuHit, gpuHit + valid);
      if (inserted === 0) {
        d.metrics.decided('failed');
        return 0;
      }
      d.metrics.externalHits.inc(inserted * bs);
      d.metrics.fetched(inserted * this.#trueBlockBytes, inserted * this.#payloadSize);
      d.metrics.decided('fetched');
      return transferTimeS(d.profile, inserted * bs, d.config.linkBytesPerS);
    } catch (err) {
      d.metrics.decided('failed');
      d.log.debug({ err: toError(err) }, 'kv connector: load failed; recomputing');
      return 0;
    } finally {
      call.dispose();
      d.metrics.waitingForRemote.dec();
    }
  }

  /** Stops offloading and loading and closes the store client. */
  close(): void {
    this.#stop.abort();
    this.#queue.clear();
    this.#d.store.close();
  }

  #leadingHits(hashes: readonly number[], max: number): number {
    let k = 0;
    while (k < max && this.#d.pool.lookup(hashes[k] as number) >= 0) k++;
    return k;
  }

  /** Leading fetched blocks whose bytes are their payload; a bad one ends the run. */
  #verifiedRun(keys: readonly number[], got: Map<number, Uint8Array>): number {
    let valid = 0;
    for (const key of keys) {
      const bytes = got.get(key);
      if (bytes === undefined) break;
      if (!isBlockPayload(key, this.#payloadSize, bytes)) {
        this.#d.metrics.verifyFailures.inc();
        break;
      }
      valid++;
    }
    return valid;
  }

  /**
   * Enters blocks [from, to) of the chain into the GPU cache as computed prefix, behind the GPU
   * hit (pinned meanwhile so allocation cannot evict it). They are released at once: cached and
   * free, most recently used, found by the request's admission. Returns how many entered.
   */
  #insert(spec: CoreRequestSpec, from: number, to: number): number {
    const pool = this.#d.pool;
    const hashes = spec.blockHashes;
    if (this.#leadingHits(hashes, from) < from) return 0; // the GPU hit went while we fetched
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
    if (runStart >= 0) this.#reportStored(spec, runStart, end);
    pool.releaseAll(ids);
    return end - from;
  }

  #reportStored(spec: CoreRequestSpec, from: number, to: number): void {
    const tokens = spec.promptTokens;
    if (this.#d.events === undefined || tokens === undefined) return;
    const bs = this.#d.blockSizeTokens;
    this.#d.events.blocksStored(
      spec.blockHashes.slice(from, to),
      from === 0 ? null : (spec.blockHashes[from - 1] as number),
      tokens.subarray(from * bs, to * bs),
      spec.loraId ?? null,
    );
  }

  async #flush(): Promise<void> {
    const d = this.#d;
    try {
      while (this.#queue.size > 0 && !this.#stop.signal.aborted) {
        const batch: number[] = [];
        for (const hash of this.#queue) {
          batch.push(hash);
          if (batch.length >= OFFLOAD_BATCH_BLOCKS) break;
        }
        for (const hash of batch) this.#queue.delete(hash);
        const blocks = batch.map((key) => ({ key, bytes: blockPayload(key, this.#payloadSize) }));
        const call = linkedSignal([this.#stop.signal], d.config.timeoutMs * 4);
        try {
          const results = await d.store.putMany(d.config.url, blocks, {
            signal: call.signal,
            timeoutMs: d.config.timeoutMs,
          });
          const ok = results.filter((r) => r === 'stored' || r === 'present').length;
          d.metrics.offloadedBlocks.inc(ok);
          d.metrics.offloaded(ok * this.#trueBlockBytes, ok * this.#payloadSize);
          if (ok < batch.length) d.metrics.dropped('put_failed', batch.length - ok);
        } catch (err) {
          d.metrics.dropped('put_failed', batch.length);
          d.log.debug({ err: toError(err), blocks: batch.length }, 'kv connector: offload failed');
        } finally {
          call.dispose();
        }
      }
    } finally {
      this.#flushing = false;
    }
  }
}
