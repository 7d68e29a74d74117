/** The BlockStored KV event of one run of a prompt's blocks newly in the GPU prefix cache. */
import type { CoreRequestSpec, KvCacheEventSink } from './core-types.js';

/**
 * Tells `events` that blocks [from, to) of `spec`'s chain entered the prefix cache, with their
 * parent hash and tokens (vLLM cache_full_blocks: one BlockStored per run). Nothing without a
 * sink or without the prompt's tokens.
 */
export function reportStoredRun(
  events: KvCacheEventSink | undefined,
  spec: CoreRequestSpec,
  blockSizeTokens: number,
  from: number,
  to: number,
): void {
  const tokens = spec.promptTokens;
  if (events === undefined || tokens === undefined) return;
  events.blocksStored(
    spec.blockHashes.slice(from, to),
    from === 0 ? null : (spec.blockHashes[from - 1] as number),
    tokens.subarray(from * blockSizeTokens, to * blockSizeTokens),
    spec.loraId ?? null,
  );
}
