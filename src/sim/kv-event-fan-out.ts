/**
 * One KvCacheEventSink for the engine core that forwards to the KV event recorder (vLLM KV
 * events) and to the KV connector (which only acts on evictions), either of which may be off.
 */
import type { KvCacheEventSink } from './core-types.js';
import type { KvEvictionListener } from './kv-connector.js';

/** The sink handed to the core; `late.connector` is read at each eviction (set after the core exists). */
export function fanOutKvCacheEvents(
  recorder: KvCacheEventSink | undefined,
  late: { readonly connector?: KvEvictionListener },
): KvCacheEventSink {
  return {
    blocksStored(hashes, parentHash, tokens, loraId) {
      recorder?.blocksStored(hashes, parentHash, tokens, loraId);
    },
    blockRemoved(hash) {
      recorder?.blockRemoved(hash);
      late.connector?.blockRemoved(hash);
    },
    allCleared() {
      recorder?.allCleared();
    },
  };
}
