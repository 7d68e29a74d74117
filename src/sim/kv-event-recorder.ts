/**
 * Buffers the engine core's prefix-cache changes as vLLM KV events until the engine loop takes
 * them once per step (vLLM drains BlockPool.kv_event_queue each step into one KVEventBatch).
 * Pure: no sockets here; kv-event-publisher.ts sends what `take` returns.
 */
import { KV_MEDIUM_GPU, type KvCacheEvent } from '../kvcache/index.js';
import type { KvCacheEventSink } from './core-types.js';

/** The KvCacheEventSink of an engine that publishes KV events. */
export class KvEventRecorder implements KvCacheEventSink {
  readonly #blockSize: number;
  readonly #maxEvents: number;
  #events: KvCacheEvent[] = [];
  /** Events dropped because a step produced more than `maxEvents` (none in practice). */
  dropped = 0;

  /**
   * @param blockSize tokens per block.
   * @param maxEvents bound between two takes; a step touches at most its blocks, far below it.
   */
  constructor(blockSize: number, maxEvents: number) {
    this.#blockSize = blockSize;
    this.#maxEvents = maxEvents;
  }

  blocksStored(
    hashes: readonly number[],
    parentHash: number | null,
    tokens: Uint32Array,
    loraId: number | null,
  ): void {
    this.#push({
      type: 'BlockStored',
      blockHashes: [...hashes],
      parentBlockHash: parentHash,
      tokenIds: Array.from(tokens),
      blockSize: this.#blockSize,
      loraId,
      medium: KV_MEDIUM_GPU,
    });
  }

  blockRemoved(hash: number): void {
    this.#push({ type: 'BlockRemoved', blockHashes: [hash], medium: KV_MEDIUM_GPU });
  }

  allCleared(): void {
    this.#push({ type: 'AllBlocksCleared' });
  }

  /** The events since the last take, oldest first. */
  take(): KvCacheEvent[] {
    const events = this.#events;
    this.#events = [];
    return events;
  }

  #push(event: KvCacheEvent): void {
    if (this.#events.length >= this.#maxEvents) this.dropped++;
    else this.#events.push(event);
  }
}
