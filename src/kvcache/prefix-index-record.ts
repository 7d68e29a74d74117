/**
 * What the prefix index keeps per endpoint, and the check of an engine's report against it
 * (restart, over-promise; see prefix-index.ts's file comment). Pure: no I/O, time passed in.
 */
import type { EngineMetrics } from '../engine/index.js';
import type { PrefixCacheConfig } from './prefix-cache-config.js';

/** One endpoint as the prefix index sees it. */
export interface EndpointRecord {
  /** The endpoint's id (a holder found from the block side is named by it). */
  readonly id: string;
  /** Current incarnation; blocks recorded under an older one no longer match. */
  gen: number;
  /** Keys of the blocks this incarnation holds, least recently routed first (a Set keeps order). */
  keys: Set<number>;
  /** KV capacity in tokens (latest reported, else the configured default). */
  capacityTokens: number;
  promptTokensTotal: number;
  queriesTotal: number;
  hitsTotal: number;
  scrapedAtMs: number;
  /** Prompt tokens routed here, and hits the index predicted for them, since the last scrape. */
  routedPromptTokens: number;
  predictedHitTokens: number;
  /** The last report that could be judged fell far short of the prediction (see foldReport). */
  shortfall: boolean;
}

/** A record with no incarnation yet (gen 0) and no blocks. */
export function newEndpointRecord(id: string, capacityTokens: number): EndpointRecord {
  return {
    id,
    gen: 0,
    keys: new Set(),
    capacityTokens,
    promptTokensTotal: 0,
    queriesTotal: 0,
    hitsTotal: 0,
    scrapedAtMs: 0,
    routedPromptTokens: 0,
    predictedHitTokens: 0,
    shortfall: false,
  };
}

/**
 * Folds a newer engine report into the record and says whether it contradicts the index: a
 * cumulative counter went backwards (the engine restarted with an empty cache), or two reports in
 * a row fell far short of the prediction — this gateway sent most of the engine's prompt tokens,
 * predicted a hit ratio ≥ 0.5 for them, and the engine reports under a quarter of that (it evicted
 * what we think it holds). One short report is not enough: the engine counts a request when it
 * schedules it, so a report can cover a prompt's first request (a miss) and none of the hits
 * routed right after it, still queued or not yet arrived — a burst of a new prompt, or another
 * gateway replica's miss, would otherwise wipe the holder it just chose. A report with too few
 * queries to judge leaves the verdict as it was. An older or equally old report changes nothing.
 */
export function foldReport(
  rec: EndpointRecord,
  metrics: EngineMetrics,
  config: PrefixCacheConfig,
): boolean {
  if (metrics.scrapedAtMs <= rec.scrapedAtMs) return false;
  const s = metrics.scrape;
  let contradicted = false;
  if (rec.scrapedAtMs !== 0) {
    if (s.promptTokensTotal < rec.promptTokensTotal || s.prefixCacheQueriesTotal < rec.queriesTotal)
      contradicted = true;
    else if (config.resetOnHitRatioMismatch) {
      const short = fellShort(rec, s.prefixCacheQueriesTotal, s.prefixCacheHitsTotal, config);
      if (short !== undefined) {
        contradicted = short && rec.shortfall;
        rec.shortfall = short;
      }
    }
  }
  if (contradicted) rec.shortfall = false; // the new incarnation starts unsuspected
  rec.promptTokensTotal = s.promptTokensTotal;
  rec.queriesTotal = s.prefixCacheQueriesTotal;
  rec.hitsTotal = s.prefixCacheHitsTotal;
  rec.scrapedAtMs = metrics.scrapedAtMs;
  rec.routedPromptTokens = 0;
  rec.predictedHitTokens = 0;
  return contradicted;
}

/**
 * Whether the engine's hits since the last report fell under a quarter of the predicted ratio;
 * undefined when the window cannot be judged (too few queries, mostly another sender's, or a
 * predicted ratio under 0.5).
 */
function fellShort(
  rec: EndpointRecord,
  queriesTotal: number,
  hitsTotal: number,
  config: PrefixCacheConfig,
): boolean | undefined {
  const queries = queriesTotal - rec.queriesTotal;
  const hits = hitsTotal - rec.hitsTotal;
  const routed = rec.routedPromptTokens;
  const predicted = routed > 0 ? rec.predictedHitTokens / routed : 0;
  const minQueries = 8 * config.blockSizeTokens;
  if (queries < minQueries || routed < queries / 2 || predicted < 0.5) return undefined;
  return hits / queries < predicted / 4;
}
