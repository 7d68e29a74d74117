/**
 * What one engine's next KV event batch means for its holdings, from its seq and timestamp
 * against the last batch applied. vLLM numbers batches 0, 1, 2… per process and stamps each
 * with the wall time it was built (`ts`, seconds), so:
 * - seq = last + 1: the next batch, applied;
 * - seq > last + 1: batches were lost in between, a gap to fill from the replay socket;
 * - seq ≤ last with a newer ts: a new engine process numbering from 0 again — its predecessor's
 *   blocks are gone (AllBlocksCleared semantics) and what it published before this batch is
 *   taken from its replay socket. A duplicate (a batch that also came through a replay) carries
 *   the ts it was built with, never newer than the last one applied;
 * - seq ≤ last otherwise: a duplicate, skipped — unless it is further back than any replay
 *   reaches, which only a restart explains (an engine whose clock went back).
 * Pure.
 */

/** The last batch applied: its seq and ts (ts undefined before the first). */
export interface KvEventPosition {
  readonly seq: number;
  readonly ts: number | undefined;
}

/** The verdict on one incoming batch. */
export type KvEventSeqVerdict =
  | { readonly kind: 'next' }
  | { readonly kind: 'duplicate' }
  /** Batches [from, before) are missing. */
  | { readonly kind: 'gap'; readonly from: number; readonly before: number }
  /** The engine restarted; batches [0, before) of the new process are missing. */
  | { readonly kind: 'restart'; readonly before: number };

/** No batch applied yet (or the holdings were cleared and numbering starts over). */
export const KV_EVENT_START: KvEventPosition = { seq: -1, ts: undefined };

/**
 * Classifies batch `seq` stamped `ts` (undefined: undecodable) after `last`; `maxReplayBatches`
 * bounds how far back a replay reaches.
 */
export function classifyKvEventBatch(
  last: KvEventPosition,
  seq: number,
  ts: number | undefined,
  maxReplayBatches: number,
): KvEventSeqVerdict {
  if (seq === last.seq + 1) return { kind: 'next' };
  if (seq > last.seq + 1) return { kind: 'gap', from: last.seq + 1, before: seq };
  const newer = ts !== undefined && last.ts !== undefined && ts > last.ts;
  if (newer || last.seq - seq > maxReplayBatches) return { kind: 'restart', before: seq };
  return { kind: 'duplicate' };
}
