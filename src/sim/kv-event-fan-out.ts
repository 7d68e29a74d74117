/**
 * One KvCacheEventSink for the engine core that forwards to the KV event recorder (vLLM KV
 * events) and to the KV connector (which only acts on newly computed blocks: it saves them),
 * either of which may be off.
 */
import type { KvCacheEventSink } from './core-types.js';
import type { KvSaveListener } from './kv-connector.js';

/** The sink handed to the core; `late.connector` is read at each store (set after the core exists). */
export function fanOutKvCacheEvents(
  recorder: KvCacheEventSink | undefined,
  late: { readonly connector?: KvSaveListener },
): KvCacheEventSink {
  return {
    blocksStored(hashes, parentHash, tokens, loraId) {
      recorder?.blocksStored(hashes, parentHash, tokens, loraId);
      late.connector?.blocksStored(hashes, parentHash, tokens, loraId);
    },
    blockRemoved(hash) {
      recorder?.blockRemoved(hash);
    },
    allCleared() {
      recorder?.allCleared();
    },
  };
}
