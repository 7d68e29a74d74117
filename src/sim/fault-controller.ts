/**
 * Applies SimFaults over time: the slow-start deadline, the exit timer and the seeded draws
 * that pick which requests fail or hang.
 */
import { SeededRng, type Rng } from '../shared/index.js';
import { NO_FAULTS, type SimFaults } from './faults.js';

/** Seed of the fault draws, so a fault run is reproducible. */
export const FAULT_RNG_SEED = 0x5eed;

/** The live fault state of one simulator. */
export class FaultController {
  #faults: SimFaults = NO_FAULTS;
  #readyAtMs = 0;
  #exitTimer: NodeJS.Timeout | undefined;
  readonly #rng: Rng;
  readonly #onExit: (code: number) => void;

  /** @param onExit called when `exitAfterMs` elapses (process exit or server kill). */
  constructor(initial: Partial<SimFaults>, onExit: (code: number) => void, rng?: Rng) {
    this.#onExit = onExit;
    this.#rng = rng ?? new SeededRng(FAULT_RNG_SEED);
    this.set(initial);
  }

  /** The current faults. */
  get(): SimFaults {
    return this.#faults;
  }

  /** Milliseconds of slow start left, 0 when ready. */
  notReadyForMs(): number {
    return Math.max(0, this.#readyAtMs - Date.now());
  }

  /** Merges `partial`; a new slowStartMs or exitAfterMs counts from now. */
  set(partial: Partial<SimFaults>): void {
    this.#faults = Object.freeze({ ...this.#faults, ...partial });
    if (partial.slowStartMs !== undefined) this.#readyAtMs = Date.now() + partial.slowStartMs;
    if (partial.exitAfterMs !== undefined) {
      clearTimeout(this.#exitTimer);
      this.#exitTimer = undefined;
      if (partial.exitAfterMs >= 0) {
        this.#exitTimer = setTimeout(
          () => this.#onExit(this.#faults.exitCode),
          partial.exitAfterMs,
        );
        this.#exitTimer.unref();
      }
    }
  }

  /** Draws whether this request fails with 500 (errorRate). */
  drawError(): boolean {
    return this.#faults.errorRate > 0 && this.#rng.next() < this.#faults.errorRate;
  }

  /** Draws whether this request hangs before headers (hangRate). */
  drawHang(): boolean {
    return this.#faults.hangRate > 0 && this.#rng.next() < this.#faults.hangRate;
  }

  /** Cancels the exit timer. */
  close(): void {
    clearTimeout(this.#exitTimer);
    this.#exitTimer = undefined;
  }
}
