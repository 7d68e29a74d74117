/**
 * The prefix index every gateway replica routes with: reads go to this replica's own index,
 * and each insertion (a pick) is also handed to the replica feed, which on the leader fans it out
 * to the followers and on a follower sends it to the leader. So a prompt routed by any replica
 * sticks to the same engine on all of them (AIBrix's replicas each learn alone, and drift).
 */
import type {
  KvLoadHint,
  ObservedEndpoint,
  PrefixCacheConfig,
  PrefixCacheIndex,
  PrefixMemo,
} from '../kvcache/index.js';
import type { PrefixInsertion } from '../protocol/index.js';

/** Delegates to `inner`; copies each insertion to `share`. */
export class ReplicatedPrefixIndex implements PrefixCacheIndex {
  readonly #inner: PrefixCacheIndex;
  readonly #share: (insertion: PrefixInsertion) => void;

  constructor(inner: PrefixCacheIndex, share: (insertion: PrefixInsertion) => void) {
    this.#inner = inner;
    this.#share = share;
  }

  get config(): PrefixCacheConfig {
    return this.#inner.config;
  }

  get memo(): PrefixMemo | undefined {
    return this.#inner.memo;
  }

  set memo(memo: PrefixMemo | undefined) {
    this.#inner.memo = memo;
  }

  get loadHint(): KvLoadHint | undefined {
    return this.#inner.loadHint;
  }

  set loadHint(hint: KvLoadHint | undefined) {
    this.#inner.loadHint = hint;
  }

  genOf(endpointId: string): number {
    return this.#inner.genOf(endpointId);
  }

  observe(endpoint: ObservedEndpoint): void {
    this.#inner.observe(endpoint);
  }

  candidateGens(endpoints: readonly ObservedEndpoint[], wanted: readonly boolean[]): number[] {
    return this.#inner.candidateGens(endpoints, wanted);
  }

  match(
    hashes: readonly number[],
    gens: readonly number[],
    nowMs: number,
    maxAgeMs?: number,
  ): Int32Array {
    return this.#inner.match(hashes, gens, nowMs, maxAgeMs);
  }

  holders(hashes: readonly number[], nowMs: number): ReadonlyMap<string, number> {
    return this.#inner.holders(hashes, nowMs);
  }

  notePrediction(endpointId: string, promptTokens: number, predictedHitTokens: number): void {
    this.#inner.notePrediction(endpointId, promptTokens, predictedHitTokens);
  }

  insert(
    hashes: readonly number[],
    endpointId: string,
    nowMs: number,
    capacityTokens?: number,
  ): void {
    this.#inner.insert(hashes, endpointId, nowMs, capacityTokens);
    // Copied: the caller may reuse its array for the next request.
    this.#share({
      endpoint: endpointId,
      hashes: [...hashes],
      ...(capacityTokens !== undefined && capacityTokens > 0
        ? { capacityTokens: Math.round(capacityTokens) }
        : {}),
    });
  }
}
