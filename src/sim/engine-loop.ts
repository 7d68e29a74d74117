/**
 * Drives the pure EngineCore in (scaled) real time with one timer: steps are computed when the
 * wall clock reaches their simulated start and delivered when it reaches their end. At high
 * speed factors many steps run per tick, and each sink is flushed once per tick, so a token
 * costs one chunk string and no timer. When the machine falls behind, steps run back to back
 * and simulated time keeps its own pace (metrics stay what the model did, not CPU jitter).
 */
import type { CoreRequest, CoreRequestSpec, StepResult } from './core-types.js';
import type { EngineCore } from './engine-core.js';

/** Receives one request's tokens. Implemented by the HTTP layer. */
export interface TokenSink {
  /** One output token was produced (`req.numOutputTokens` is its 1-based index). */
  onToken(req: CoreRequest<TokenSink>): void;
  /** The request finished (after its last onToken). */
  onFinish(req: CoreRequest<TokenSink>): void;
  /** Write what was buffered during this tick. */
  flush(): void;
}

/** Observes every step (metrics). */
export type StepObserver = (result: StepResult<TokenSink>) => void;

/** Runs before each step, and while only held requests wait: may release them (a KV connector). */
export type BeforeStep = (core: EngineCore<TokenSink>) => void;

/** Wall time one tick may run before yielding to I/O, milliseconds. */
const TICK_BUDGET_MS = 8;

/** The timer-driven loop around one EngineCore. */
export class EngineLoop {
  readonly core: EngineCore<TokenSink>;
  readonly #speed: number;
  readonly #observe: StepObserver;
  readonly #beforeStep: BeforeStep | undefined;
  #anchorWallMs = 0;
  #anchorSimS = 0;
  #pending: StepResult<TokenSink> | null = null;
  #timer: NodeJS.Timeout | NodeJS.Immediate | undefined;
  #dirty: TokenSink[] = [];
  #closed = false;

  /**
   * @param speed simulated seconds per wall second (1 = real time; 1000 makes a 7.7 ms step
   *   take 7.7 µs).
   * @param beforeStep the KV connector's entry of landed loads (kv-connector.ts enterLanded).
   */
  constructor(
    core: EngineCore<TokenSink>,
    speed: number,
    observe: StepObserver,
    beforeStep?: BeforeStep,
  ) {
    this.core = core;
    this.#speed = speed;
    this.#observe = observe;
    this.#beforeStep = beforeStep;
  }

  /** Simulated time that corresponds to now on the wall clock, seconds. */
  simNowS(): number {
    if (this.#idle()) return this.core.nowS;
    return this.#anchorSimS + ((performance.now() - this.#anchorWallMs) / 1000) * this.#speed;
  }

  /**
   * Queues a request; null when the waiting queue is full. `arrivalS` (simulated, default now)
   * backdates its arrival, e.g. by the time it waited for remote KV before it was queued.
   */
  submit(spec: CoreRequestSpec, sink: TokenSink, arrivalS?: number): CoreRequest<TokenSink> | null {
    if (this.#closed) return null;
    if (this.#idle()) this.#anchor();
    const now = this.simNowS();
    const req = this.core.submit(
      spec,
      sink,
      arrivalS === undefined ? now : Math.min(arrivalS, now),
    );
    if (req !== null) this.#schedule(0);
    return req;
  }

  /** Holds a queued request for its remote KV (EngineCore.holdForRemoteKv). */
  holdForRemoteKv(req: CoreRequest<TokenSink>): void {
    this.core.holdForRemoteKv(req);
  }

  /** Ends a hold and wakes the loop, which may have idled with only held requests queued. */
  releaseRemoteKv(req: CoreRequest<TokenSink>): void {
    if (!req.remoteKvHeld || this.#closed) return;
    if (this.#idle()) this.#anchor();
    this.core.releaseRemoteKv(req);
    this.#schedule(0);
  }

  /**
   * Wakes the loop for its `beforeStep` hook (a held request's load landed); it may have idled
   * with only held requests queued.
   */
  wake(): void {
    if (this.#closed) return;
    if (this.#idle()) this.#anchor();
    this.#schedule(0);
  }

  /** Drops a request (client disconnect). */
  abort(req: CoreRequest<TokenSink>): void {
    this.core.abort(req);
  }

  /** Stops the timer; pending work is abandoned. */
  close(): void {
    this.#closed = true;
    this.#clear();
  }

  #idle(): boolean {
    return this.#pending === null && this.#timer === undefined && !this.core.hasWork;
  }

  #anchor(): void {
    this.#anchorWallMs = performance.now();
    this.#anchorSimS = this.core.nowS;
  }

  #clear(): void {
    if (this.#timer === undefined) return;
    clearTimeout(this.#timer as NodeJS.Timeout);
    clearImmediate(this.#timer as NodeJS.Immediate);
    this.#timer = undefined;
  }

  /**
   * Wakes the loop: at once when work is due, else by a timer rounded to whole milliseconds.
   * A step delivered up to ~1 ms late does not shift later steps (their times are absolute),
   * and the loop never spins waiting for a sub-millisecond remainder.
   */
  #schedule(delayMs: number): void {
    if (this.#timer !== undefined || this.#closed) return;
    this.#timer =
      delayMs <= 0
        ? setImmediate(this.#tick)
        : setTimeout(this.#tick, Math.max(1, Math.round(delayMs)));
  }

  #tick = (): void => {
    this.#timer = undefined;
    const wallStart = performance.now();
    const target = this.#anchorSimS + ((wallStart - this.#anchorWallMs) / 1000) * this.#speed;
    let steps = 0;
    for (;;) {
      if (this.#pending !== null) {
        if (this.#pending.endS > target) break;
        this.#deliver(this.#pending);
        this.#pending = null;
      }
      this.#beforeStep?.(this.core);
      if (!this.core.hasWork) break;
      this.#pending = this.core.step();
      if ((++steps & 31) === 0 && performance.now() - wallStart > TICK_BUDGET_MS) break;
    }
    const dirty = this.#dirty;
    this.#dirty = [];
    for (const sink of dirty) sink.flush();
    if (this.#pending === null && !this.core.hasWork) return; // idle until the next submit
    const aheadS = (this.#pending?.endS ?? this.core.nowS) - this.simNowS();
    this.#schedule(aheadS > 0 ? (aheadS / this.#speed) * 1000 : 0);
  };

  #deliver(result: StepResult<TokenSink>): void {
    this.#observe(result);
    for (const req of result.emitted) {
      const sink = req.tag;
      sink.onToken(req);
      this.#dirty.push(sink);
    }
    for (const req of result.finished) req.tag.onFinish(req);
  }
}
