/**
 * The approximate prefix index behind `prefix-cache`: which endpoint was last sent which prompt
 * block. One global LRU (`maxBlocks`) maps a block hash to a few holders (`maxEndpointsPerBlock`,
 * most recent kept), each an endpoint *incarnation* (`gen`) and the time it was routed there.
 *
 * Corrections, since the index only guesses what the engines hold:
 * - Incarnations: forgetting an endpoint's blocks is O(1) — it gets a new `gen`, and entries of
 *   the old one stop matching and are dropped as their blocks are touched or evicted.
 * - Engine restart: a cumulative counter that goes backwards (prompt tokens, prefix queries)
 *   means the engine restarted with an empty cache → new incarnation.
 * - Over-promise: between two scrapes, if this gateway sent most of the engine's prompt tokens
 *   (≥ half of its prefix-cache queries), predicted a hit ratio ≥ 0.5 for them, and the engine
 *   reports under a quarter of that, the engine evicted what we think it holds → new incarnation.
 * - Age: an entry older than `entryTtlMs` is a miss (AIBrix evicts after 20 min).
 * - `forget(id)` for discovery removals; endpoints not among the candidates never match anyway.
 * Blocks are recorded last-to-first, so a prompt's first blocks are the most recent in the LRU
 * and a chain is evicted from its tail, as vLLM evicts (a chain broken at its root is worthless).
 */
import { LRUCache } from 'lru-cache';
import type { PrefixCacheConfig } from './routing-config.js';
import type { EndpointLoad } from './types.js';

interface EndpointRecord {
  gen: number;
  promptTokensTotal: number;
  queriesTotal: number;
  hitsTotal: number;
  scrapedAtMs: number;
  routedPromptTokens: number;
  predictedHitTokens: number;
}

/** Index keys are block hashes modulo 2^30: small integers. */
const KEY_SPACE = 0x40000000;

/** A block re-attributed to its newest holder within this many ms keeps its LRU position. */
export const RECENCY_REFRESH_MS = 1000;

/** Endpoint records kept (LRU); a dropped one comes back as a new incarnation with no blocks. */
export const MAX_TRACKED_ENDPOINTS = 10_000;

/**
 * The prefix index (see the file comment): `match` ranks, `insert` records, `observe` and
 * `forget` correct. Bounded by `maxBlocks` blocks × `maxEndpointsPerBlock` holders and
 * {@link MAX_TRACKED_ENDPOINTS} endpoint records. Time is always passed in.
 */
export class PrefixIndex {
  readonly #config: PrefixCacheConfig;
  /**
   * Block key → `[blockHash, gen, routedAtMs, gen, routedAtMs, …]`, holders oldest first. The key
   * is the hash's low 30 bits (a small integer, which V8's Map handles ~4× faster than a 52-bit
   * double); the full hash in slot 0 tells a colliding block apart, and a collision simply
   * replaces the older block (a rare false miss, never a false hit).
   */
  readonly #blocks: LRUCache<number, number[]>;
  readonly #endpoints: LRUCache<string, EndpointRecord>;
  readonly #liveGens = new Set<number>();
  #nextGen = 1;
  /**
   * The last request scored, its hashes and each candidate's matched blocks, so pick()'s
   * post-route hook does not hash the prompt twice. One slot: bounded.
   */
  memo:
    | { readonly request: object; readonly hashes: number[]; matched: Map<string, number> }
    | undefined;
  /** Incarnations started because the engine's report contradicted the index (for tests, metrics). */
  resets = 0;

  constructor(config: PrefixCacheConfig) {
    this.#config = config;
    this.#blocks = new LRUCache({ max: config.maxBlocks });
    this.#endpoints = new LRUCache({
      max: MAX_TRACKED_ENDPOINTS,
      dispose: (rec) => this.#liveGens.delete(rec.gen),
    });
  }

  #record(endpointId: string): EndpointRecord {
    let rec = this.#endpoints.get(endpointId);
    if (rec === undefined) {
      rec = {
        gen: this.#newGen(),
        promptTokensTotal: 0,
        queriesTotal: 0,
        hitsTotal: 0,
        scrapedAtMs: 0,
        routedPromptTokens: 0,
        predictedHitTokens: 0,
      };
      this.#endpoints.set(endpointId, rec);
    }
    return rec;
  }

  #newGen(): number {
    const gen = this.#nextGen++;
    this.#liveGens.add(gen);
    return gen;
  }

  #reincarnate(rec: EndpointRecord): void {
    this.#liveGens.delete(rec.gen);
    rec.gen = this.#newGen();
    this.resets++;
  }

  /** The endpoint's current incarnation (created on first sight). */
  genOf(endpointId: string): number {
    return this.#record(endpointId).gen;
  }

  /** Forgets every block attributed to the endpoint (e.g. discovery removed it). */
  forget(endpointId: string): void {
    const rec = this.#endpoints.peek(endpointId);
    if (rec !== undefined) this.#reincarnate(rec);
  }

  /** Applies what the engine reports (restart, over-promise); see the file comment. */
  observe(endpoint: EndpointLoad): void {
    const metrics = endpoint.metrics;
    if (metrics === undefined || endpoint.stale) return;
    const rec = this.#record(endpoint.id);
    if (metrics.scrapedAtMs <= rec.scrapedAtMs) return;
    const s = metrics.scrape;
    const first = rec.scrapedAtMs === 0;
    if (
      !first &&
      (s.promptTokensTotal < rec.promptTokensTotal || s.prefixCacheQueriesTotal < rec.queriesTotal)
    ) {
      this.#reincarnate(rec);
    } else if (!first && this.#config.resetOnHitRatioMismatch) {
      const queries = s.prefixCacheQueriesTotal - rec.queriesTotal;
      const hits = s.prefixCacheHitsTotal - rec.hitsTotal;
      const routed = rec.routedPromptTokens;
      const predicted = routed > 0 ? rec.predictedHitTokens / routed : 0;
      const minQueries = 8 * this.#config.blockSizeTokens;
      if (queries >= minQueries && routed >= queries / 2 && predicted >= 0.5) {
        if (hits / queries < predicted / 4) this.#reincarnate(rec);
      }
    }
    rec.promptTokensTotal = s.promptTokensTotal;
    rec.queriesTotal = s.prefixCacheQueriesTotal;
    rec.hitsTotal = s.prefixCacheHitsTotal;
    rec.scrapedAtMs = metrics.scrapedAtMs;
    rec.routedPromptTokens = 0;
    rec.predictedHitTokens = 0;
  }

  /**
   * Leading blocks of `hashes` each candidate holds, walking in order and stopping at the first
   * block no candidate still in the run holds. `gens[i]` is candidate i's incarnation, or 0 to
   * leave it out. Returns a count per candidate.
   */
  match(hashes: readonly number[], gens: readonly number[], nowMs: number): Int32Array {
    const matched = new Int32Array(gens.length);
    const indexOf = new Map<number, number>();
    gens.forEach((g, i) => {
      if (g !== 0) indexOf.set(g, i);
    });
    if (indexOf.size === 0) return matched;
    const oldestMs = nowMs - this.#config.entryTtlMs;
    for (let b = 0; b < hashes.length; b++) {
      const hash = hashes[b] as number;
      const holders = this.#blocks.peek(hash % KEY_SPACE);
      if (holders?.[0] !== hash) break;
      let extended = false;
      for (let k = 1; k < holders.length; k += 2) {
        const i = indexOf.get(holders[k] as number);
        if (i !== undefined && matched[i] === b && (holders[k + 1] as number) >= oldestMs) {
          matched[i] = b + 1;
          extended = true;
        }
      }
      if (!extended) break;
    }
    return matched;
  }

  /** Attributes every block to the endpoint as of `nowMs` (last block first; see file comment). */
  insert(hashes: readonly number[], endpointId: string, nowMs: number): void {
    const gen = this.genOf(endpointId);
    const maxPairs = this.#config.maxEndpointsPerBlock * 2;
    const oldestMs = nowMs - this.#config.entryTtlMs;
    for (let b = hashes.length - 1; b >= 0; b--) {
      const hash = hashes[b] as number;
      const key = hash % KEY_SPACE;
      const holders = this.#blocks.peek(key);
      if (holders?.[0] !== hash) {
        this.#blocks.set(key, [hash, gen, nowMs]);
        continue;
      }
      const last = holders.length - 2;
      if (holders[last] === gen && nowMs - (holders[last + 1] as number) < RECENCY_REFRESH_MS) {
        // Re-sent within a second (a hot prefix): its LRU position is fresh enough; skip the
        // LRU update, which is most of the cost of an insert.
        holders[last + 1] = nowMs;
        continue;
      }
      // Compact in place (no allocation on the hot path): drop this endpoint's old pair, pairs
      // of dead incarnations and expired pairs; then make room and append the fresh pair.
      let w = 1;
      for (let k = 1; k < holders.length; k += 2) {
        const g = holders[k] as number;
        const at = holders[k + 1] as number;
        if (g === gen || at < oldestMs || !this.#liveGens.has(g)) continue;
        holders[w] = g;
        holders[w + 1] = at;
        w += 2;
      }
      holders.length = w;
      if (w + 1 > maxPairs) holders.splice(1, w + 1 - maxPairs);
      holders.push(gen, nowMs);
      this.#blocks.set(hash, holders);
    }
  }

  /** Notes what the index predicted for a request routed to the endpoint (over-promise check). */
  notePrediction(endpointId: string, promptTokens: number, predictedHitTokens: number): void {
    const rec = this.#record(endpointId);
    rec.routedPromptTokens += promptTokens;
    rec.predictedHitTokens += predictedHitTokens;
  }

  /** Blocks held (for tests and metrics). */
  get size(): number {
    return this.#blocks.size;
  }
}
