/**
 * The KV cache room: what the control plane knows and keeps of engines' KV blocks. Today it holds
 * the chained block hash engines key their blocks by, the prompt → block-hash cut, and the
 * leader's prefix index (which endpoint holds which prefix) with its config, the agent's L1 block
 * store (slab slots, S3-FIFO / LRU eviction) and the native block wire codec; the block service
 * (in adapters/) and the global index from KV events grow here (DESIGN.md §4.4).
 *
 * Decision code: pure, no I/O (lint-enforced). May import `shared` and `engine` (tokenizer,
 * metric shapes) only; routing, the gateway and the simulator import it, never the reverse.
 */
export * from './block-hash.js';
export * from './prefix-cache-config.js';
export * from './prefix-cache-index.js';
export { PrefixIndex, MAX_TRACKED_ENDPOINTS, RECENCY_REFRESH_MS } from './prefix-index.js';
export { promptBlockHashes, adapterHashSeed } from './prefix-hashing.js';
export * from './string-hash.js';
export * from './kvcache-resource.js';
export * from './eviction-policy.js';
export { createEvictionPolicy } from './create-eviction-policy.js';
export { S3FIFO_DEFAULTS } from './s3fifo-policy.js';
export * from './block-store.js';
export type { BlockStoreCounters, BlockStoreStats } from './block-store-stats.js';
export {
  SlabAllocator,
  DEFAULT_SLAB_BYTES,
  DEFAULT_SLOT_SIZES,
  type Slot,
  type SlabAllocatorOptions,
} from './slab-allocator.js';
export * from './block-wire-format.js';
export { encodeRequest, encodeReply, joinFrame } from './block-wire.js';
export { payloadParts, payloadLength } from './received-bytes.js';
export { ReceivePool, SEGMENT_BYTES } from './receive-pool.js';
export type { PutSink } from './put-stream.js';
export {
  createRequestDecoder,
  createReplyDecoder,
  type MessageDecoder,
  type FrameFault,
  type DecodeResult,
  type DecoderOptions,
} from './block-wire-decoder.js';
export {
  serveFromStore,
  storePutSink,
  missingChain,
  mergeFound,
  GetFrameBudget,
  type BlockMissSource,
  type DataRequest,
  type ServedReply,
} from './block-requests.js';
export {
  prefixFromStore,
  extendPrefix,
  prefixReplyBytes,
  type ServedPrefix,
} from './block-prefix.js';
export * from './lmcache-wire.js';
export * from './lmcache-store.js';
export * from './kv-commands.js';
export * from './kvcache-plan.js';
export { parseQuantity } from './kubernetes-quantity.js';
export * from './kvcache-status.js';
export * from './kv-batch.js';
export type { PreciseBlockView } from './precise-block-view.js';
export * from './kv-load-hint.js';
export {
  GlobalBlockIndex,
  type GlobalBlockIndexOptions,
  type GlobalBlockIndexCounters,
  type KvEngineSummary,
  type KvNodeSummary,
} from './global-block-index.js';
export type {
  BlockEvictions,
  BlockHoldingsBuffers,
  BlockHoldingsSharing,
  BlockSource,
} from './block-holdings.js';
export { SharedBlockReads, writing, WRITES_SLOT, type SharedSource } from './shared-block-reads.js';
export * from './kv-event-format.js';
export * from './kv-event-sequence.js';
export {
  decodeKvEventBatch,
  KV_EVENT_LIMITS,
  type KvEventDecodeResult,
} from './kv-event-decode.js';
export * from './engine-kv-holdings.js';
export * from './lora-id-map.js';
