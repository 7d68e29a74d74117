/**
 * The simulator's KV connector ("InfernodeConnector", --kv-transfer-config): the engine as a KV
 * client of its node agent's block service. Save: every block the engine computes is put to the
 * store as soon as it is registered in the GPU prefix cache (write-through, as LMCache's vLLM
 * connector saves computed KV; not on eviction, which left a prefix unreachable by peers while
 * its engine still held it), by kv-offloader.ts (asynchronous, bounded, several puts in flight).
 * Load: before a request is queued, the part of its prompt's chain past the GPU hit is looked up
 * in the store (longestPrefix); it is fetched only when the modeled transfer beats recomputing
 * it (kv-transfer-model.ts), verified against the hash-derived payload and held for the modeled
 * transfer time (vLLM's WAITING_FOR_REMOTE_KVS; other requests go on), then kept in the host
 * buffer (kv-host-buffer.ts). Any failure means
 * recompute, never an error to the client. The store client is passed in (a composition root
 * builds it). The GPU cache's side of a load (its hit, entering fetched blocks) is
 * fetched-prefix.ts.
 *
 * The request is queued at once and held there while the load runs (the get-prefix round trip,
 * then the modeled transfer), as vLLM holds it in WAITING_FOR_REMOTE_KVS: requests behind it go
 * on. Until the lookup answers, the hold lasts at most the chain's recompute time over the sim
 * speed (perf.md §3.4: a load only pays while it beats recompute), so a slow lookup costs the
 * request at most its break-even, and nothing when the request was queued behind others anyway;
 * once it found blocks worth moving, the request is held (again) until they land. A load
 * that lands while the request still waits stays in the connector's host buffer and enters the
 * GPU cache just before the step that admits the request (`enterLanded`, landed-prefix-entry.ts):
 * entered on landing it was evicted by the requests ahead before its admission. What lands after
 * the admission is dropped ('late') and the prompt recomputed.
 */
import { hintedAbsentBlock } from '../kvcache/index.js';
import { linkedSignal, sleep, toError, type Clock, type Logger } from '../shared/index.js';
import type { KvBlockStore } from './kv-block-store.js';
import type { BlockPool } from './block-pool.js';
import type { CoreRequestSpec, KvCacheEventSink } from './core-types.js';
import type { EngineCore } from './engine-core.js';
import type { FetchOutcome, KvConnectorMetrics } from './kv-connector-metrics.js';
import type { KvTransferConfig } from './kv-transfer-config.js';
import { leadingCachedBlocks } from './fetched-prefix.js';
import { KvHostBuffer } from './kv-host-buffer.js';
import { KvOffloader } from './kv-offloader.js';
import { enterLandedPrefixes } from './landed-prefix-entry.js';
import { decideFetch, isBlockPayload, payloadBytes, transferTimeS } from './kv-transfer-model.js';
import type { HardwareProfile } from './profiles.js';

export type { KvBlockStore, KvStoreCallOptions } from './kv-block-store.js';

/**
 * A queued request held for its remote KV: whether it still waits (not yet admitted), the release
 * that lets admission take it, holding it again (its lookup found blocks after its hold ran out),
 * and the wake-up of the engine loop once its load landed (the loop's next step enters it and
 * releases the hold: `enterLanded`).
 */
export interface RemoteKvHold {
  readonly isQueued: () => boolean;
  readonly release: () => void;
  readonly hold: () => void;
  readonly landed: () => void;
}

/** The connector's side of a hold while one load runs. */
interface LoadHold {
  readonly isQueued: () => boolean;
  /** Releases the request after `ms` (at once under 1 ms): its break-even. */
  readonly releaseAfter: (ms: number) => void;
  /** Holds it until the load lands, whatever the break-even said (the blocks are coming). */
  readonly keep: () => void;
}

/** Told of blocks newly computed into the GPU prefix cache (the store half of KvCacheEventSink). */
export type KvSaveListener = Pick<KvCacheEventSink, 'blocksStored'>;

/** What the connector works with. */
export interface KvConnectorDeps {
  readonly config: KvTransferConfig;
  readonly store: KvBlockStore;
  readonly profile: HardwareProfile;
  readonly pool: BlockPool;
  readonly blockSizeTokens: number;
  readonly metrics: KvConnectorMetrics;
  /** Simulated seconds per wall second: the modeled transfer waits transferS / speed. */
  readonly speed: number;
  readonly log: Logger;
  /** Measures how much of a lookup's deadline is left. */
  readonly clock: Clock;
  /** Told of fetched blocks entering the GPU cache (vLLM KV events), when enabled. */
  readonly events?: KvCacheEventSink;
}

/** The connector of one simulator (see the file comment). */
export class KvConnector implements KvSaveListener {
  readonly #d: KvConnectorDeps;
  readonly #stop = new AbortController();
  readonly #payloadSize: number;
  readonly #trueBlockBytes: number;
  readonly #offloader: KvOffloader;
  readonly #landed: KvHostBuffer;

  constructor(deps: KvConnectorDeps) {
    this.#d = deps;
    this.#trueBlockBytes = deps.blockSizeTokens * deps.profile.kvBytesPerToken;
    this.#payloadSize = payloadBytes(this.#trueBlockBytes, deps.config.bytesFraction);
    this.#offloader = new KvOffloader({
      config: deps.config,
      store: deps.store,
      metrics: deps.metrics,
      payloadSize: this.#payloadSize,
      trueBlockBytes: this.#trueBlockBytes,
      stop: this.#stop.signal,
      log: deps.log,
    });
    this.#landed = new KvHostBuffer({
      pool: deps.pool,
      blockSizeTokens: deps.blockSizeTokens,
      ...(deps.events === undefined ? {} : { events: deps.events }),
      onEntered: (tokens) => deps.metrics.externalHits.inc(tokens),
    });
  }

  /** Real bytes of one block's payload. */
  get payloadSize(): number {
    return this.#payloadSize;
  }

  /** Blocks the engine computed: queue them for saving (dropped and counted when full). */
  blocksStored(hashes: readonly number[]): void {
    if (this.#d.config.kvRole === 'kv_consumer') return;
    for (const hash of hashes) this.#offloader.enqueue(hash);
  }

  /**
   * Loads what the store holds of `spec`'s chain past the GPU hit into the connector's host
   * buffer. The request is queued and held (`hold`, vLLM's WAITING_FOR_REMOTE_KVS) while the
   * lookup runs, but never longer than recomputing the whole chain would take (over the sim
   * speed): then it is released and admitted as any other. Once the lookup found blocks worth
   * moving, a request still queued is held (again) through their transfer. A load that lands
   * while the request still waits keeps it held and wakes the loop (`hold.landed`), whose next
   * steps enter it and release the request (`enterLanded`); one that lands after is dropped
   * ('late'). Resolves (never rejects) with whether the load landed; otherwise the hold is
   * released by then.
   */
  async loadPrefix(spec: CoreRequestSpec, hold: RemoteKvHold): Promise<boolean> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const control: LoadHold = {
      isQueued: hold.isQueued,
      releaseAfter: (ms) => {
        if (ms >= 1) timer = setTimeout(hold.release, ms);
        else hold.release();
      },
      keep: () => {
        clearTimeout(timer);
        hold.hold();
      },
    };
    let landed = false;
    try {
      landed = await this.#load(spec, control);
      return landed;
    } finally {
      clearTimeout(timer);
      if (landed) hold.landed();
      else hold.release();
    }
  }

  /**
   * Runs before each engine step (the loop's hook): enters a landed load into the GPU cache just
   * before the step that can admit its request, and releases it (landed-prefix-entry.ts).
   */
  enterLanded<T>(core: EngineCore<T>): void {
    enterLandedPrefixes(core, this.#landed);
  }

  async #load(spec: CoreRequestSpec, hold: LoadHold): Promise<boolean> {
    const d = this.#d;
    if (d.config.kvRole === 'kv_producer' || this.#stop.signal.aborted) return false;
    const bs = d.blockSizeTokens;
    // The last prompt token is always computed, as in the core's admission.
    const maxBlocks = Math.min(spec.blockHashes.length, Math.floor((spec.promptLength - 1) / bs));
    const gpuHit = leadingCachedBlocks(d.pool, spec.blockHashes, maxBlocks);
    if (gpuHit >= maxBlocks) return false;
    d.metrics.externalQueries.inc(spec.promptLength);
    // The router's index says no node's L1 holds the block right past the GPU hit: the lookup
    // would miss, and its round trip would only hold the request. Past the GPU hit, no load can
    // pass the block it names: the lookup asks only for the blocks before it (kv-load-hint.ts).
    const absent = hintedAbsentBlock(spec.blockHashes, spec.l1Absent);
    if (absent === gpuHit) {
      d.metrics.decided('skipped');
      return false;
    }
    const end = absent !== undefined && absent > gpuHit ? Math.min(absent, maxBlocks) : maxBlocks;
    const chain = spec.blockHashes.slice(gpuHit, end);
    // A chain whose load cannot beat its recompute even at once is not looked up.
    const whole = decideFetch(d.profile, chain.length * bs, d.config.linkBytesPerS);
    if (!whole.fetch) {
      d.metrics.decided('recomputed');
      return false;
    }
    const deadlineMs = d.config.timeoutMs;
    // The lookup and the modeled transfer both run inside the hold: past the chain's recompute
    // time (wall, over the sim speed) waiting no longer beats computing it.
    hold.releaseAfter(Math.min(deadlineMs, (whole.recomputeS / d.speed) * 1000));
    d.metrics.waitingForRemote.inc();
    const startedMs = d.clock.monotonicMs();
    let outcome: FetchOutcome = 'failed';
    let lookupMs = NaN;
    const call = linkedSignal([this.#stop.signal], deadlineMs);
    try {
      // One round trip: the agent's local run with its bytes; past it, peers (L2) within half
      // the call bound.
      const got = await d.store.getPrefix(d.config.url, chain, {
        signal: call.signal,
        timeoutMs: deadlineMs,
        l2WaitMs: Math.floor(deadlineMs / 2),
      });
      lookupMs = d.clock.monotonicMs() - startedMs;
      const valid = this.#verifiedRun(chain, got);
      // Verified is all the bytes are for (the modeled transfer stands in for the copy to GPU).
      d.store.recycle?.(got);
      if (got.length === 0) {
        outcome = 'miss';
        return false;
      }
      if (valid === 0) return false; // nothing verified: failed
      if (!decideFetch(d.profile, valid * bs, d.config.linkBytesPerS).fetch) {
        outcome = 'recomputed';
        return false;
      }
      // The modeled transfer overlaps the engine's other work, as a DMA would. The request waits
      // for it even past the whole chain's break-even: moving these blocks beats recomputing
      // them, and vLLM too keeps a request whose load it started in WAITING_FOR_REMOTE_KVS.
      const transferS = transferTimeS(d.profile, valid * bs, d.config.linkBytesPerS);
      if (hold.isQueued()) {
        hold.keep();
        await sleep((transferS / d.speed) * 1000, this.#stop.signal);
      }
      if (!hold.isQueued()) {
        outcome = 'late';
        return false;
      }
      this.#landed.put(spec, gpuHit, gpuHit + valid);
      d.metrics.fetched(valid * this.#trueBlockBytes, valid * this.#payloadSize);
      outcome = 'fetched';
      return true;
    } catch (err) {
      // The call bound passed (not a close): late, as an admission before the reply would be.
      if (call.signal.aborted && !this.#stopped()) outcome = 'late';
      d.log.debug({ err: toError(err) }, 'kv connector: load failed; recomputing');
      return false;
    } finally {
      call.dispose();
      d.metrics.decided(outcome);
      d.metrics.lookupSeconds(
        outcome,
        (Number.isNaN(lookupMs) ? d.clock.monotonicMs() - startedMs : lookupMs) / 1000,
      );
      d.metrics.waitingForRemote.dec();
    }
  }

  /** Stops offloading and loading and closes the store client. */
  close(): void {
    this.#stop.abort();
    this.#offloader.clear();
    this.#d.store.close();
  }

  #stopped(): boolean {
    return this.#stop.signal.aborted;
  }

  /** Leading fetched blocks whose bytes are their payload; a bad one ends the run. */
  #verifiedRun(
    keys: readonly number[],
    got: readonly { readonly key: number; readonly bytes: Uint8Array }[],
  ): number {
    let valid = 0;
    for (const [i, key] of keys.entries()) {
      const block = got[i];
      if (block?.key !== key) break;
      const bytes = block.bytes;
      if (!isBlockPayload(key, this.#payloadSize, bytes)) {
        this.#d.metrics.verifyFailures.inc();
        break;
      }
      valid++;
    }
    return valid;
  }
}
