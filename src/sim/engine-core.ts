/**
 * The simulator's pure engine core: vLLM V1's continuous-batching scheduler over a simulated
 * clock. Each `step()` forms one batch (running requests first, then waiting ones), allocates KV
 * blocks with prefix caching, preempts (recompute style) when blocks run out, advances the
 * clock by the analytic step time and reports which requests produced a token. No timers, no
 * I/O: the caller decides when to step (engine-loop.ts) and tests drive it directly. The blocks'
 * bookkeeping (prefix lookup, allocation, caching, freeing) is kv-cache-manager.ts; running a
 * chosen batch forward (step time, tokens, finishing) is batch-execution.ts.
 */
import { BlockPool } from './block-pool.js';
import { executeBatch, type ScheduledBatch } from './batch-execution.js';
import { createCoreRequest } from './core-request.js';
import type {
  CoreConfig,
  CoreRequest,
  CoreRequestSpec,
  KvCacheEventSink,
  StepResult,
} from './core-types.js';
import { KvCacheManager } from './kv-cache-manager.js';
import type { HardwareProfile } from './profiles.js';

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
  readonly #kv: KvCacheManager;

  /** @param events told of prefix-cache changes (vLLM KV events), when enabled. */
  constructor(config: CoreConfig, profile: HardwareProfile, events?: KvCacheEventSink) {
    this.config = config;
    this.profile = profile;
    this.pool = new BlockPool(config.numGpuBlocks, events);
    this.#kv = new KvCacheManager(this.pool, config.blockSizeTokens, events);
  }

  /** The simulated clock, seconds since the engine started. */
  get nowS(): number {
    return this.#nowS;
  }

  /** Requests waiting to be scheduled (vllm:num_requests_waiting). */
  get numWaiting(): number {
    return this.#waiting.length;
  }

  /**
   * The waiting queue in admission order (preempted requests first), read only: what the next
   * steps will consider, for a caller that prepares their KV just in time.
   */
  get waiting(): readonly CoreRequest<T>[] {
    return this.#waiting;
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
    const req = createCoreRequest(this.#nextId++, spec, tag, Math.min(arrivalS, this.#nowS));
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
    this.#kv.free(req);
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
      let ok = this.#kv.grow(req, req.numComputedTokens + n);
      while (!ok) {
        const victim = this.#running.pop() as CoreRequest<T>;
        this.#preempt(victim);
        preemptions++;
        if (victim === req) break;
        ok = this.#kv.grow(req, req.numComputedTokens + n);
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
    const scheduled = { startS, requests: batch, newTokens, activeAdapters: loras.size };
    return this.#execute(scheduled, preemptions, queryTokens, hitTokens);
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
      const { hits, evictable } = this.#kv.findCachedPrefix(req, maxHitBlocks);
      const cached = hits.length * bs;
      const n = Math.min(total - cached, budget);
      const need = Math.ceil((cached + n) / bs) - hits.length;
      if (need + evictable > this.pool.numFree) break;
      for (const id of hits) this.pool.touch(id);
      req.blockIds = hits;
      req.numHashedBlocks = hits.length;
      req.numComputedTokens = cached;
      this.#kv.grow(req, cached + n);
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
    batch: ScheduledBatch<T>,
    preemptions: number,
    prefixQueryTokens: number,
    prefixHitTokens: number,
  ): StepResult<T> {
    const run = executeBatch(batch, this.profile, this.#kv);
    this.#nowS = run.endS;
    if (run.finished.length > 0) this.#running = this.#running.filter((r) => r.state === 'running');
    const { endS, prefillTokens, scheduledTokens, emitted, finished } = run;
    return {
      ...{ startS: batch.startS, endS, batchSize: batch.requests.length, prefillTokens },
      ...{ scheduledTokens, emitted, finished, preemptions, prefixQueryTokens, prefixHitTokens },
    };
  }

  #preempt(req: CoreRequest<T>): void {
    this.#kv.free(req);
    req.numComputedTokens = 0;
    req.numPreemptions++;
    req.state = 'waiting';
    this.#waiting.unshift(req);
  }
}
