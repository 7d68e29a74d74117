/**
 * The simulator's pure engine core: vLLM V1's continuous-batching scheduler over a simulated
 * clock. Each `step()` forms one batch (running requests first, then waiting ones), allocates KV
 * blocks with prefix caching, preempts (recompute style) when blocks run out, advances the
 * clock by the analytic step time and reports which requests produced a token. No timers, no
 * I/O: the caller decides when to step (engine-loop.ts) and tests drive it directly.
 */
import { BlockPool } from './block-pool.js';
import type {
  CoreConfig,
  CoreRequest,
  CoreRequestSpec,
  KvCacheEventSink,
  StepResult,
} from './core-types.js';
import { stepTimeS, type HardwareProfile } from './profiles.js';

/** Continuous-batching scheduler + KV cache + clock for one simulated engine. */
export class EngineCore<T = unknown> {
  readonly config: CoreConfig;
  readonly profile: HardwareProfile;
  readonly pool: BlockPool;
  #nowS = 0;
  #nextId = 1;
  #waiting: CoreRequest<T>[] = [];
  /** Waiting requests held for remote KV (they alone are no work to step for). */
  #held = 0;
  #running: CoreRequest<T>[] = [];
  readonly #events: KvCacheEventSink | undefined;

  /** @param events told of prefix-cache changes (vLLM KV events), when enabled. */
  constructor(config: CoreConfig, profile: HardwareProfile, events?: KvCacheEventSink) {
    this.config = config;
    this.profile = profile;
    this.#events = events;
    this.pool = new BlockPool(config.numGpuBlocks, events);
  }

  /** The simulated clock, seconds since the engine started. */
  get nowS(): number {
    return this.#nowS;
  }

  /** Requests waiting to be scheduled (vllm:num_requests_waiting). */
  get numWaiting(): number {
    return this.#waiting.length;
  }

  /** Requests running (vllm:num_requests_running). */
  get numRunning(): number {
    return this.#running.length;
  }

  /** True while a step would do something. */
  get hasWork(): boolean {
    return this.#running.length > 0 || this.#waiting.length > this.#held;
  }

  /**
   * Holds a waiting request for its remote KV (vLLM's WAITING_FOR_REMOTE_KVS): admission skips it
   * until `releaseRemoteKv`. Requests behind it go on.
   */
  holdForRemoteKv(req: CoreRequest<T>): void {
    if (req.state !== 'waiting' || req.remoteKvHeld) return;
    req.remoteKvHeld = true;
    this.#held++;
  }

  /** Ends a hold (the load landed, missed or gave up); a no-op for a request not held. */
  releaseRemoteKv(req: CoreRequest<T>): void {
    if (!req.remoteKvHeld) return;
    req.remoteKvHeld = false;
    this.#held--;
  }

  /** Adapters of running and waiting requests (for vllm:lora_requests_info). */
  loraNames(): { running: string[]; waiting: string[] } {
    const names = (list: readonly CoreRequest<T>[]): string[] => [
      ...new Set(list.map((r) => r.spec.lora).filter((n): n is string => n !== null)),
    ];
    return { running: names(this.#running), waiting: names(this.#waiting) };
  }

  /**
   * Queues a request, stamped at `arrivalS` (default: the clock). Returns null when the waiting
   * queue is at its bound.
   */
  submit(spec: CoreRequestSpec, tag: T, arrivalS = this.#nowS): CoreRequest<T> | null {
    if (this.#waiting.length >= this.config.maxWaitingRequests) return null;
    const req: CoreRequest<T> = {
      id: this.#nextId++,
      spec,
      tag,
      state: 'waiting',
      remoteKvHeld: false,
      numComputedTokens: 0,
      numOutputTokens: 0,
      blockIds: [],
      numHashedBlocks: 0,
      numCachedTokens: -1,
      numPreemptions: 0,
      arrivalS: Math.min(arrivalS, this.#nowS),
      firstScheduledS: NaN,
      firstTokenS: NaN,
      lastTokenS: NaN,
      prevTokenS: NaN,
      finishedS: NaN,
      finishReason: null,
    };
    this.#waiting.push(req);
    return req;
  }

  /** Removes a request wherever it is (client went away); frees its blocks. */
  abort(req: CoreRequest<T>): void {
    if (req.state === 'finished') return;
    this.releaseRemoteKv(req);
    const list = req.state === 'running' ? this.#running : this.#waiting;
    const at = list.indexOf(req);
    if (at >= 0) list.splice(at, 1);
    this.#free(req);
    req.state = 'finished';
    req.finishReason = 'abort';
    req.finishedS = this.#nowS;
  }

  /** Runs one engine step; returns null when there is nothing to do. */
  step(): StepResult<T> | null {
    if (!this.hasWork) return null;
    const startS = this.#nowS;
    const batch: CoreRequest<T>[] = [];
    const newTokens: number[] = [];
    let budget = this.config.maxNumBatchedTokens;
    let preemptions = 0;
    const loras = new Set<string>();
    // 1. Running requests, oldest first; preempt from the back when blocks run out.
    for (let i = 0; i < this.#running.length && budget > 0; i++) {
      const req = this.#running[i] as CoreRequest<T>;
      const total = req.spec.promptLength + req.numOutputTokens;
      const n = Math.min(total - req.numComputedTokens, budget);
      let ok = this.#grow(req, req.numComputedTokens + n);
      while (!ok) {
        const victim = this.#running.pop() as CoreRequest<T>;
        this.#preempt(victim);
        preemptions++;
        if (victim === req) break;
        ok = this.#grow(req, req.numComputedTokens + n);
      }
      if (!ok) break;
      batch.push(req);
      newTokens.push(n);
      budget -= n;
      if (req.spec.lora !== null) loras.add(req.spec.lora);
    }
    // 2. Waiting requests, unless this step preempted (vLLM admits none then).
    let queryTokens = 0;
    let hitTokens = 0;
    if (preemptions === 0) {
      const admitted = this.#admit(budget, loras, batch, newTokens);
      queryTokens = admitted.queryTokens;
      hitTokens = admitted.hitTokens;
    }
    return this.#execute(startS, batch, newTokens, preemptions, queryTokens, hitTokens, loras.size);
  }

  #admit(
    budget: number,
    loras: Set<string>,
    batch: CoreRequest<T>[],
    newTokens: number[],
  ): { queryTokens: number; hitTokens: number } {
    const bs = this.config.blockSizeTokens;
    let queryTokens = 0;
    let hitTokens = 0;
    let taken = 0;
    let skipped = false;
    for (const req of this.#waiting) {
      if (budget <= 0 || this.#running.length >= this.config.maxNumSeqs) break;
      if (req.remoteKvHeld) {
        skipped = true; // its prefix is still loading: the ones behind it go on
        continue;
      }
      const lora = req.spec.lora;
      if (lora !== null && !loras.has(lora) && loras.size >= this.config.maxLoras) {
        skipped = true; // no LoRA slot in this batch: leave it queued, try the next one
        continue;
      }
      const total = req.spec.promptLength + req.numOutputTokens;
      // Longest cached prefix; the last token is always computed, so a full hit backs off.
      const maxHitBlocks = Math.floor((total - 1) / bs);
      const hits: number[] = [];
      let evictable = 0;
      for (const hash of req.spec.blockHashes) {
        if (hits.length >= maxHitBlocks) break;
        const id = this.pool.lookup(hash);
        if (id < 0) break;
        hits.push(id);
        if (this.pool.isFree(id)) evictable++;
      }
      const cached = hits.length * bs;
      const n = Math.min(total - cached, budget);
      const need = Math.ceil((cached + n) / bs) - hits.length;
      if (need + evictable > this.pool.numFree) break;
      for (const id of hits) this.pool.touch(id);
      req.blockIds = hits;
      req.numHashedBlocks = hits.length;
      req.numComputedTokens = cached;
      this.#grow(req, cached + n);
      queryTokens += total;
      hitTokens += cached;
      if (req.numCachedTokens < 0) req.numCachedTokens = cached;
      if (Number.isNaN(req.firstScheduledS)) req.firstScheduledS = this.#nowS;
      req.state = 'running';
      this.#running.push(req);
      batch.push(req);
      newTokens.push(n);
      budget -= n;
      taken++;
      if (lora !== null) loras.add(lora);
    }
    if (taken > 0) {
      if (skipped) this.#waiting = this.#waiting.filter((r) => r.state === 'waiting');
      else this.#waiting.splice(0, taken);
    }
    return { queryTokens, hitTokens };
  }

  #execute(
    startS: number,
    batch: readonly CoreRequest<T>[],
    newTokens: readonly number[],
    preemptions: number,
    prefixQueryTokens: number,
    prefixHitTokens: number,
    activeAdapters: number,
  ): StepResult<T> {
    let prefillTokens = 0;
    let scheduledTokens = 0;
    let decodeContextTokens = 0;
    for (let i = 0; i < batch.length; i++) {
      const req = batch[i] as CoreRequest<T>;
      const n = newTokens[i] as number;
      const total = req.spec.promptLength + req.numOutputTokens;
      scheduledTokens += n;
      if (n === 1 && req.numComputedTokens === total - 1) decodeContextTokens += total;
      else prefillTokens += n;
    }
    const endS =
      startS +
      stepTimeS(this.profile, {
        batchSize: batch.length,
        prefillTokens,
        decodeContextTokens,
        activeAdapters,
      });
    this.#nowS = endS;
    const emitted: CoreRequest<T>[] = [];
    const finished: CoreRequest<T>[] = [];
    for (let i = 0; i < batch.length; i++) {
      const req = batch[i] as CoreRequest<T>;
      req.numComputedTokens += newTokens[i] as number;
      this.#cacheFullPromptBlocks(req);
      if (req.numComputedTokens < req.spec.promptLength + req.numOutputTokens) continue;
      req.numOutputTokens++;
      if (req.numOutputTokens === 1) req.firstTokenS = endS;
      req.prevTokenS = req.lastTokenS;
      req.lastTokenS = endS;
      emitted.push(req);
      const out = req.numOutputTokens;
      if (out >= req.spec.eosAfterTokens || out >= req.spec.maxTokens) {
        req.finishReason = out >= req.spec.eosAfterTokens ? 'stop' : 'length';
        finished.push(req);
      }
    }
    if (finished.length > 0) {
      for (const req of finished) {
        this.#free(req);
        req.state = 'finished';
        req.finishedS = endS;
      }
      this.#running = this.#running.filter((r) => r.state === 'running');
    }
    return {
      startS,
      endS,
      batchSize: batch.length,
      prefillTokens,
      scheduledTokens,
      emitted,
      finished,
      preemptions,
      prefixQueryTokens,
      prefixHitTokens,
    };
  }

  /** Ensures `req` holds blocks for `tokens` tokens; false (holding what it had) if none free. */
  #grow(req: CoreRequest<T>, tokens: number): boolean {
    const need = Math.ceil(tokens / this.config.blockSizeTokens) - req.blockIds.length;
    if (need > this.pool.numFree) return false;
    for (let i = 0; i < need; i++) req.blockIds.push(this.pool.allocate());
    return true;
  }

  #cacheFullPromptBlocks(req: CoreRequest<T>): void {
    const bs = this.config.blockSizeTokens;
    const full = Math.min(
      Math.floor(Math.min(req.numComputedTokens, req.spec.promptLength) / bs),
      req.spec.blockHashes.length,
    );
    // Each run of newly registered blocks is one BlockStored (vLLM cache_full_blocks).
    let runStart = -1;
    for (let b = req.numHashedBlocks; b < full; b++) {
      const registered = this.pool.cache(
        req.blockIds[b] as number,
        req.spec.blockHashes[b] as number,
      );
      if (registered && runStart < 0) runStart = b;
      if (!registered && runStart >= 0) {
        this.#reportStored(req, runStart, b);
        runStart = -1;
      }
    }
    if (runStart >= 0) this.#reportStored(req, runStart, full);
    if (full > req.numHashedBlocks) req.numHashedBlocks = full;
  }

  #reportStored(req: CoreRequest<T>, from: number, to: number): void {
    const tokens = req.spec.promptTokens;
    if (this.#events === undefined || tokens === undefined) return;
    const bs = this.config.blockSizeTokens;
    this.#events.blocksStored(
      req.spec.blockHashes.slice(from, to),
      from === 0 ? null : (req.spec.blockHashes[from - 1] as number),
      tokens.subarray(from * bs, to * bs),
      req.spec.loraId ?? null,
    );
  }

  #preempt(req: CoreRequest<T>): void {
    this.#free(req);
    req.numComputedTokens = 0;
    req.numPreemptions++;
    req.state = 'waiting';
    this.#waiting.unshift(req);
  }

  #free(req: CoreRequest<T>): void {
    this.pool.releaseAll(req.blockIds);
    req.blockIds = [];
    req.numHashedBlocks = 0;
  }
}
