/**
 * One simulated engine driven in virtual time, in this process: the simulator's pure EngineCore
 * (the same scheduler, KV cache with prefix caching, LoRA batch slots and step-time model the
 * `infernode sim` processes run) with no timers and no HTTP. The fleets of `bench lora`
 * (lora-fleet.ts) and `bench kv-bound` (kv-bound-replay.ts) are made of these.
 *
 * The core keeps its own clock, which only moves while it has work (an idle engine's clock
 * stands still, as in the simulator). An offset maps core time to stream time: it is set when an
 * idle engine receives a request, and stays fixed through a busy period, during which steps run
 * back to back. Timed callbacks (`at`) stand in for what the simulator does on a wall-clock timer
 * beside the engine loop (a KV load landing): they run between steps, once the stream time they
 * name has come, in time order.
 */
import {
  EngineCore,
  type CoreConfig,
  type CoreRequest,
  type CoreRequestSpec,
  type HardwareProfile,
  type StepResult,
} from '../sim/index.js';

/** A callback due at a stream time. */
interface Timed {
  readonly atS: number;
  readonly run: () => void;
}

/** A simulated engine in virtual time (see the file comment). */
export class VirtualEngine<T> {
  readonly core: EngineCore<T>;
  /** Stream time minus core time during the current busy period, seconds. */
  offsetS = 0;
  /** Σ of the time it spent stepping, seconds. */
  busyS = 0;
  /** Steps taken. */
  steps = 0;
  /** Timed callbacks not run yet, ascending `atS` (at most one per request in flight). */
  readonly #timed: Timed[] = [];
  readonly #onStep: (r: StepResult<T>, engine: VirtualEngine<T>) => void;
  readonly #beforeStep: ((engine: VirtualEngine<T>) => void) | undefined;

  /**
   * @param onStep told of every step's result (first tokens, finished requests).
   * @param beforeStep runs before each step, and while only held requests wait (a connector's
   *   work between steps: it may release them); optional.
   */
  constructor(
    config: CoreConfig,
    profile: HardwareProfile,
    onStep: (r: StepResult<T>, engine: VirtualEngine<T>) => void,
    beforeStep?: (engine: VirtualEngine<T>) => void,
  ) {
    this.core = new EngineCore<T>(config, profile);
    this.#onStep = onStep;
    this.#beforeStep = beforeStep;
  }

  /** Requests running or waiting on it now. */
  get inFlight(): number {
    return this.core.numRunning + this.core.numWaiting;
  }

  /** The core's clock in stream time, seconds. */
  get streamNowS(): number {
    return this.core.nowS + this.offsetS;
  }

  /** Runs `run` once stream time `atS` has come, between steps. */
  at(atS: number, run: () => void): void {
    let i = this.#timed.length;
    while (i > 0 && (this.#timed[i - 1] as Timed).atS > atS) i--;
    this.#timed.splice(i, 0, { atS, run });
  }

  /** Steps and runs timed callbacks until stream time `t` (or until idle with nothing due). */
  advanceTo(t: number): void {
    for (;;) {
      const due = this.#timed[0]?.atS ?? Infinity;
      const until = Math.min(t, due);
      // The hook may release a held request, which makes work for an otherwise idle engine.
      if (this.streamNowS < until && this.core.numWaiting + this.core.numRunning > 0) {
        this.#beforeStep?.(this);
        if (this.core.hasWork) {
          this.#step();
          continue;
        }
      }
      if (due === Infinity || due > t) break;
      // Idle before it is due: the clock stood still until then.
      if (this.streamNowS < due) this.#idleUntil(due);
      (this.#timed.shift() as Timed).run();
    }
    // Idle: its clock stood still; the next busy period starts at the next arrival.
    if (!this.core.hasWork && this.streamNowS < t && t !== Infinity) this.#idleUntil(t);
  }

  /** Runs until nothing is left to do. */
  drain(): void {
    this.advanceTo(Infinity);
  }

  /** Queues a request that arrived at stream time `arrivalS`; null when the queue is full. */
  submit(spec: CoreRequestSpec, tag: T, arrivalS: number): CoreRequest<T> | null {
    return this.core.submit(spec, tag, arrivalS - this.offsetS);
  }

  /**
   * Moves stream time on to `t` while the core's clock stands still. Requests queued meanwhile
   * (held for remote KV: an idle engine runs nothing) waited through it, so their arrival moves
   * back in core time by as much, and their TTFT counts the wait.
   */
  #idleUntil(t: number): void {
    const delta = t - this.streamNowS;
    this.offsetS += delta;
    for (const req of this.core.waiting) req.arrivalS -= delta;
  }

  #step(): void {
    const r = this.core.step();
    if (r === null) return;
    this.steps++;
    this.busyS += r.endS - r.startS;
    this.#onStep(r, this);
  }
}
