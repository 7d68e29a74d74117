/**
 * vLLM's KV cache events (vllm/distributed/kv_events.py, v0.10–v0.11) as infernode types, and
 * their wire encoding: a ZMQ PUB multipart (topic, seq as 8 bytes big-endian, payload) whose
 * payload is msgpack of `KVEventBatch` in msgspec's array_like form:
 * `[ts, [event, …], data_parallel_rank?]`, each event a tagged array
 * `["BlockStored", block_hashes, parent_block_hash, token_ids, block_size, lora_id, medium]`,
 * `["BlockRemoved", block_hashes, medium]` or `["AllBlocksCleared"]`.
 * The simulator encodes with this file; the agent decodes with kv-event-decode.ts.
 */
import { encode } from '@msgpack/msgpack';

/**
 * An engine's own block hash: an int with vLLM's builtin hash (may exceed 2^53: a bigint after
 * decoding) or bytes with sha256. Opaque to infernode except as a key (engineHashKey).
 */
export type EngineBlockHash = number | bigint | Uint8Array;

/** vLLM's `medium` of GPU blocks. */
export const KV_MEDIUM_GPU = 'GPU';

/** Full blocks newly cached by one request (vLLM BlockPool.cache_full_blocks). */
export interface BlockStoredEvent {
  readonly type: 'BlockStored';
  /** The blocks' hashes in chain order. */
  readonly blockHashes: readonly EngineBlockHash[];
  /** Hash of the block before the first one; null when the first is the prompt's first block. */
  readonly parentBlockHash: EngineBlockHash | null;
  /** The blocks' tokens, blockSize per block, in order. */
  readonly tokenIds: readonly number[];
  readonly blockSize: number;
  /** The LoRA adapter's int id in the engine (vLLM lora_int_id), null for the base model. */
  readonly loraId: number | null;
  /** Where the blocks live ("GPU"); null from builds before the field existed. */
  readonly medium: string | null;
}

/** Cached blocks evicted (vLLM BlockPool._maybe_evict_cached_block). */
export interface BlockRemovedEvent {
  readonly type: 'BlockRemoved';
  readonly blockHashes: readonly EngineBlockHash[];
  readonly medium: string | null;
}

/** The whole prefix cache was dropped (vLLM reset_prefix_cache). */
export interface AllBlocksClearedEvent {
  readonly type: 'AllBlocksCleared';
}

/** One KV cache event. */
export type KvCacheEvent = BlockStoredEvent | BlockRemovedEvent | AllBlocksClearedEvent;

/** The events of one engine step (vLLM KVEventBatch). */
export interface KvEventBatch {
  /** Unix seconds (Python time.time()). */
  readonly ts: number;
  readonly events: readonly KvCacheEvent[];
  /** Data-parallel rank; absent when the engine has none (msgspec omits the default). */
  readonly dataParallelRank?: number;
}

/** The replay socket's end-of-stream seq (vLLM ZmqEventPublisher.END_SEQ). */
export const KV_EVENT_END_SEQ = -1;

function eventToWire(event: KvCacheEvent): unknown[] {
  switch (event.type) {
    case 'BlockStored':
      return [
        event.type,
        event.blockHashes,
        event.parentBlockHash,
        event.tokenIds,
        event.blockSize,
        event.loraId,
        event.medium,
      ];
    case 'BlockRemoved':
      return [event.type, event.blockHashes, event.medium];
    case 'AllBlocksCleared':
      return [event.type];
  }
}

/** msgpack bytes of a batch, as vLLM's publisher sends them. */
export function encodeKvEventBatch(batch: KvEventBatch): Uint8Array {
  const wire: unknown[] = [batch.ts, batch.events.map(eventToWire)];
  if (batch.dataParallelRank !== undefined) wire.push(batch.dataParallelRank);
  return encode(wire);
}

/** A seq as 8 bytes big-endian, signed (END_SEQ is -1). */
export function encodeKvEventSeq(seq: number): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigInt64(0, BigInt(seq), false);
  return out;
}

/** The seq of an 8-byte big-endian frame, or null when the frame is not 8 bytes or not safe. */
export function decodeKvEventSeq(frame: Uint8Array): number | null {
  if (frame.byteLength !== 8) return null;
  const value = new DataView(frame.buffer, frame.byteOffset, 8).getBigInt64(0, false);
  if (value > BigInt(Number.MAX_SAFE_INTEGER) || value < -1n) return null;
  return Number(value);
}

/** A stable string key of an engine hash: decimal for ints (number or bigint), hex for bytes. */
export function engineHashKey(hash: EngineBlockHash): string {
  if (hash instanceof Uint8Array) {
    let hex = 'x';
    for (const byte of hash) hex += byte.toString(16).padStart(2, '0');
    return hex;
  }
  return hash.toString();
}
