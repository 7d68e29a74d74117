/**
 * The approximate prefix index behind `prefix-cache`: which endpoint was last sent which prompt
 * block. One global LRU (`maxBlocks`) maps a block hash to a few holders (`maxEndpointsPerBlock`,
 * most recent kept), each an endpoint *incarnation* (`gen`) and the time it was routed there.
 * Each endpoint also keeps its own LRU of the blocks attributed to it, bounded by what its engine
 * can hold: its KV capacity (`kvCapacityTokens` from its metrics, else
 * `defaultEndpointCapacityTokens`) in indexed blocks. Routing a block to an endpoint refreshes it
 * there; going over capacity drops that endpoint's least recently routed blocks, as the engine's
 * own LRU evicts them — so a prefix the engine can no longer hold stops attracting requests.
 * The two agree: a block dropped from either (capacity, `maxBlocks`, TTL, holder limit) leaves
 * both, so together they stay O(1) per block and bounded by `maxBlocks` × holders.
 *
 * Corrections, since the index only guesses what the engines hold:
 * - Incarnations: forgetting an endpoint's blocks is O(1) — it gets a new `gen`, and entries of
 *   the old one stop matching and are dropped as their blocks are touched or evicted.
 * - Engine restart: a cumulative counter that goes backwards (prompt tokens, prefix queries)
 *   means the engine restarted with an empty cache → new incarnation.
 * - Over-promise: if in two scrape windows in a row this gateway sent most of the engine's
 *   prompt tokens (≥ half of its prefix-cache queries), predicted a hit ratio ≥ 0.5 for them,
 *   and the engine reports under a quarter of that, the engine evicted what we think it holds
 *   → new incarnation (one window can miss hits still queued; see foldReport).
 * - Age: an entry older than `entryTtlMs` is a miss (AIBrix evicts after 20 min).
 * - `forget(id)` for discovery removals; endpoints not among the candidates never match anyway.
 * Blocks are recorded last-to-first, so a prompt's first blocks are the most recent in the LRU
 * and a chain is evicted from its tail, as vLLM evicts (a chain broken at its root is worthless).
 * The block table's holder lists are read and rewritten by prefix-holders.ts.
 */
import { LRUCache } from 'lru-cache';
import {
  KEY_SPACE,
  leadingHolders,
  matchLeadingBlocks,
  refreshHolder,
  trimToCapacity,
  type BlockTable,
} from './prefix-holders.js';
import { foldReport, newEndpointRecord, type EndpointRecord } from './prefix-index-record.js';
import type { KvLoadHint } from './kv-load-hint.js';
import type { PrefixCacheConfig } from './prefix-cache-config.js';
import type { ObservedEndpoint, PrefixCacheIndex, PrefixMemo } from './prefix-cache-index.js';

/** A block re-attributed to its newest holder within this many ms keeps its LRU position. */
export const RECENCY_REFRESH_MS = 1000;

/**
 * Endpoint records kept (LRU by last routed to or reported); a dropped one comes back as a new
 * incarnation with no blocks.
 */
export const MAX_TRACKED_ENDPOINTS = 10_000;

/**
 * The prefix index (see the file comment): `match` ranks, `insert` records, `observe` and
 * `forget` correct. Bounded by `maxBlocks` blocks × `maxEndpointsPerBlock` holders and
 * {@link MAX_TRACKED_ENDPOINTS} endpoint records. Time is always passed in.
 */
export class PrefixIndex implements PrefixCacheIndex {
  readonly config: PrefixCacheConfig;
  /**
   * Block key → `[blockHash, gen, routedAtMs, gen, routedAtMs, …]`, holders oldest first. The key
   * is the hash's low 30 bits (a small integer, which V8's Map handles ~4× faster than a 52-bit
   * double); the full hash in slot 0 tells a colliding block apart, and a collision simply
   * replaces the older block (a rare false miss, never a false hit).
   */
  readonly #blocks: BlockTable;
  readonly #endpoints: LRUCache<string, EndpointRecord>;
  /**
   * The same records by id, for lookups that must not reorder the LRU: a plain Map lookup per
   * candidate per pick instead of the LRU's options-taking `peek`.
   */
  readonly #byId = new Map<string, EndpointRecord>();
  /** Live incarnation → its endpoint record. */
  readonly #liveGens = new Map<number, EndpointRecord>();
  #nextGen = 1;
  /**
   * The last request scored, its hashes and each candidate's matched blocks, so pick()'s
   * post-route hook does not hash the prompt twice. One slot: bounded.
   */
  memo: PrefixMemo | undefined;
  /** The last precise pick's KV load hint (kv-load-hint.ts). One slot: bounded. */
  loadHint: KvLoadHint | undefined;
  /** Incarnations started because the engine's report contradicted the index (for tests, metrics). */
  resets = 0;

  constructor(config: PrefixCacheConfig) {
    this.config = config;
    this.#blocks = new LRUCache({
      max: config.maxBlocks,
      // Evicted (or replaced by a colliding hash): its holders no longer hold it.
      dispose: (holders, key) => {
        for (let k = 1; k < holders.length; k += 2)
          this.#liveGens.get(holders[k] as number)?.keys.delete(key);
      },
    });
    this.#endpoints = new LRUCache({
      max: MAX_TRACKED_ENDPOINTS,
      dispose: (rec, id) => {
        this.#liveGens.delete(rec.gen);
        if (this.#byId.get(id) === rec) this.#byId.delete(id);
      },
    });
  }

  /**
   * The endpoint's record, created on first sight. `touch` marks it recently used in the LRU of
   * records: routing to it and a new report do; merely being a candidate does not, which keeps a
   * pick over thousands of candidates from reordering the LRU thousands of times.
   */
  #record(endpointId: string, touch = true): EndpointRecord {
    let rec = touch ? this.#endpoints.get(endpointId) : this.#byId.get(endpointId);
    if (rec === undefined) {
      rec = newEndpointRecord(endpointId, this.config.defaultEndpointCapacityTokens);
      this.#newGen(rec);
      this.#endpoints.set(endpointId, rec);
      this.#byId.set(endpointId, rec);
    }
    return rec;
  }

  /** Gives the record a fresh incarnation holding no blocks; the old one's entries go dead. */
  #newGen(rec: EndpointRecord): void {
    this.#liveGens.delete(rec.gen);
    rec.gen = this.#nextGen++;
    rec.keys = new Set();
    this.#liveGens.set(rec.gen, rec);
  }

  #reincarnate(rec: EndpointRecord): void {
    this.#newGen(rec);
    this.resets++;
  }

  /** The endpoint's current incarnation (created on first sight). */
  genOf(endpointId: string): number {
    return this.#record(endpointId, false).gen;
  }

  /** Forgets every block attributed to the endpoint (e.g. discovery removed it). */
  forget(endpointId: string): void {
    const rec = this.#endpoints.peek(endpointId);
    if (rec !== undefined) this.#reincarnate(rec);
  }

  /** Forgets every endpoint not in `endpointIds` (discovery's current view). */
  retain(endpointIds: Iterable<string>): void {
    const keep = new Set(endpointIds);
    for (const id of [...this.#endpoints.keys()]) if (!keep.has(id)) this.forget(id);
  }

  /** Applies what the engine reports (restart, over-promise); see the file comment. */
  observe(endpoint: ObservedEndpoint): void {
    const metrics = endpoint.metrics;
    if (metrics === undefined || endpoint.stale) return;
    let rec = this.#record(endpoint.id, false);
    // Most picks see a report already folded: nothing to do, and no LRU reordering.
    if (metrics.scrapedAtMs <= rec.scrapedAtMs) return;
    rec = this.#record(endpoint.id);
    if (foldReport(rec, metrics, this.config)) this.#reincarnate(rec);
  }

  /** `observe` each candidate and the incarnation of each `wanted` one (0 for the others). */
  candidateGens(endpoints: readonly ObservedEndpoint[], wanted: readonly boolean[]): number[] {
    const gens = new Array<number>(endpoints.length);
    for (let i = 0; i < endpoints.length; i++) {
      const e = endpoints[i] as ObservedEndpoint;
      let rec = this.#byId.get(e.id);
      const m = e.metrics;
      if (m !== undefined && !e.stale && m.scrapedAtMs > (rec?.scrapedAtMs ?? 0)) {
        this.observe(e);
        rec = this.#byId.get(e.id);
      }
      if (wanted[i] !== true) gens[i] = 0;
      else gens[i] = (rec ?? this.#record(e.id, false)).gen;
    }
    return gens;
  }

  /**
   * Leading blocks of `hashes` each candidate holds, walking in order and stopping at the first
   * block no candidate still in the run holds. `gens[i]` is candidate i's incarnation, or 0 to
   * leave it out. Returns a count per candidate.
   */
  match(
    hashes: readonly number[],
    gens: readonly number[],
    nowMs: number,
    maxAgeMs = this.config.entryTtlMs,
  ): Int32Array {
    const age = Math.min(maxAgeMs, this.config.entryTtlMs);
    return matchLeadingBlocks(this.#blocks, hashes, gens, nowMs - age);
  }

  /**
   * Every endpoint holding leading blocks of `hashes` (within `entryTtlMs`), by id: how many.
   * Found from the blocks' side, so its cost follows the few holders, not the candidates.
   */
  holders(hashes: readonly number[], nowMs: number): Map<string, number> {
    const out = new Map<string, number>();
    const byGen = leadingHolders(this.#blocks, hashes, nowMs - this.config.entryTtlMs);
    for (const [gen, blocks] of byGen) {
      const rec = this.#liveGens.get(gen);
      if (rec !== undefined) out.set(rec.id, blocks);
    }
    return out;
  }

  /**
   * Attributes every block to the endpoint as of `nowMs` (last block first; see file comment),
   * then trims the endpoint to its capacity. `kvCapacityTokens`: the engine's KV capacity from
   * its latest metrics, if reported (otherwise the last known one or the configured default).
   */
  insert(
    hashes: readonly number[],
    endpointId: string,
    nowMs: number,
    kvCapacityTokens?: number,
  ): void {
    const rec = this.#record(endpointId);
    if (kvCapacityTokens !== undefined && kvCapacityTokens > 0)
      rec.capacityTokens = kvCapacityTokens;
    const { gen, keys } = rec;
    const maxPairs = this.config.maxEndpointsPerBlock * 2;
    const oldestMs = nowMs - this.config.entryTtlMs;
    for (let b = hashes.length - 1; b >= 0; b--) {
      const hash = hashes[b] as number;
      const key = hash % KEY_SPACE;
      const holders = this.#blocks.peek(key);
      if (holders?.[0] !== hash) {
        this.#blocks.set(key, [hash, gen, nowMs]); // disposes a colliding block's holders
        keys.delete(key);
        keys.add(key);
        continue;
      }
      const last = holders.length - 2;
      if (holders[last] === gen && nowMs - (holders[last + 1] as number) < RECENCY_REFRESH_MS) {
        // Routed here within the last second (a hot prefix): both LRU positions are fresh
        // enough; skip the updates, which are most of the cost of an insert. The time is left
        // as it is, so a prefix sent more often than once a second is still refreshed each second.
        continue;
      }
      refreshHolder(holders, key, gen, nowMs, oldestMs, maxPairs, this.#liveGens);
      this.#blocks.set(key, holders);
      keys.delete(key);
      keys.add(key);
    }
    trimToCapacity(this.#blocks, rec, this.config);
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

  /** Blocks attributed to the endpoint's current incarnation (for tests and metrics). */
  heldBy(endpointId: string): number {
    return this.#endpoints.peek(endpointId)?.keys.size ?? 0;
  }
}
