/**
 * The save half of the simulator's KV connector, shaped like LMCache's asynchronous store:
 * a block the engine computed is queued (bounded, deduplicated) and put to the
 * block service in batches by up to `maxOffloadInFlight` concurrent puts, off the engine loop;
 * the engine step never waits on it. A burst beyond the queue bound, or a failed put, is dropped
 * and counted (the block is then recomputed if needed again, never an error).
 *
 * Why several puts and big batches: under a long-context trace one engine churns ~1.5k blocks/s
 * in bursts; one 64-block put at a time over a loaded machine's round trip drained ~600 blocks/s
 * and dropped 90 % of them, so L1 never filled.
 */
import { linkedSignal, toError, type Logger } from '../shared/index.js';
import type { KvBlockStore } from './kv-block-store.js';
import type { KvConnectorMetrics } from './kv-connector-metrics.js';
import type { KvTransferConfig } from './kv-transfer-config.js';
import { blockPayload } from './kv-transfer-model.js';

/** Evicted blocks per put call (a few hundred KiB at benchmark byte fractions). */
export const OFFLOAD_BATCH_BLOCKS = 256;

/** What the offloader works with. */
export interface KvOffloaderDeps {
  readonly config: KvTransferConfig;
  readonly store: KvBlockStore;
  readonly metrics: KvConnectorMetrics;
  /** Real payload bytes per block, and the true KV bytes it stands for. */
  readonly payloadSize: number;
  readonly trueBlockBytes: number;
  /** Aborted when the connector closes. */
  readonly stop: AbortSignal;
  readonly log: Logger;
}

/** Puts computed blocks to the block service (see the file comment). */
export class KvOffloader {
  readonly #d: KvOffloaderDeps;
  readonly #queue = new Set<number>();
  #inFlight = 0;

  constructor(deps: KvOffloaderDeps) {
    this.#d = deps;
  }

  /** Puts now in flight. */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** Blocks waiting for a put. */
  get queued(): number {
    return this.#queue.size;
  }

  /** Queues `hash` for offload (dropped and counted when the queue is full). */
  enqueue(hash: number): void {
    if (this.#d.stop.aborted || this.#queue.has(hash)) return;
    if (this.#queue.size >= this.#d.config.maxOffloadQueue) {
      this.#d.metrics.dropped('queue_full', 1);
      return;
    }
    this.#queue.add(hash);
    // Start a put on the next turn so the blocks one step computed fill one batch.
    if (this.#inFlight < this.#d.config.maxOffloadInFlight) {
      this.#inFlight++;
      setImmediate(() => void this.#drain());
    }
  }

  /** Forgets what is queued (the connector is closing). */
  clear(): void {
    this.#queue.clear();
  }

  /** One worker: puts batches until the queue is empty; at most maxOffloadInFlight run. */
  async #drain(): Promise<void> {
    try {
      while (this.#queue.size > 0 && !this.#d.stop.aborted) await this.#putBatch(this.#take());
    } finally {
      this.#inFlight--;
    }
  }

  #take(): number[] {
    const batch: number[] = [];
    for (const hash of this.#queue) {
      batch.push(hash);
      if (batch.length >= OFFLOAD_BATCH_BLOCKS) break;
    }
    for (const hash of batch) this.#queue.delete(hash);
    return batch;
  }

  async #putBatch(batch: readonly number[]): Promise<void> {
    const d = this.#d;
    const blocks = batch.map((key) => ({ key, bytes: blockPayload(key, d.payloadSize) }));
    const call = linkedSignal([d.stop], d.config.timeoutMs * 4);
    try {
      const results = await d.store.putMany(d.config.url, blocks, {
        signal: call.signal,
        timeoutMs: d.config.timeoutMs,
      });
      const ok = results.filter((r) => r === 'stored' || r === 'present').length;
      d.metrics.offloadedBlocks.inc(ok);
      d.metrics.offloaded(ok * d.trueBlockBytes, ok * d.payloadSize);
      if (ok < batch.length) d.metrics.dropped('put_failed', batch.length - ok);
    } catch (err) {
      d.metrics.dropped('put_failed', batch.length);
      d.log.debug({ err: toError(err), blocks: batch.length }, 'kv connector: offload failed');
    } finally {
      call.dispose();
    }
  }
}
