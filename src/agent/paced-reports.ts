/**
 * Routine engine reports held to the leader's pace (pace-messages.ts): while the leader asks for
 * a gap between state deltas, reports that come sooner wait, and only the newest of them goes
 * when the gap has passed (an engine's latest report supersedes the ones before it). Lifting the
 * pace sends what waits at once. Urgent reports (a failed GPU) do not come through here.
 *
 * Every agent hears a new pace at about the same moment, and each had sent within one scrape
 * period before it: kept to `last sent + gap`, a thousand agents' reports would all land within
 * that period of every gap, a burst the leader's loop takes at once (`bench leader`, issue #18).
 * So a new pace also draws this agent a random phase: its next report waits a uniform share of
 * the gap, and the ones after keep that phase.
 */
import type { EngineReport } from '../protocol/index.js';
import type { Clock } from '../shared/index.js';

export class PacedReports {
  readonly #clock: Clock;
  /** Sends a delta for these reports; true when one went out. */
  readonly #send: (reports: readonly EngineReport[]) => boolean;
  #intervalMs = 0;
  #lastSentMs = -Infinity;
  #held: readonly EngineReport[] | undefined;
  #timer: NodeJS.Timeout | undefined;
  readonly #random: () => number;

  /** `random`: uniform in [0, 1), for the phase (injected in tests). */
  constructor(
    clock: Clock,
    send: (reports: readonly EngineReport[]) => boolean,
    random: () => number = Math.random,
  ) {
    this.#clock = clock;
    this.#send = send;
    this.#random = random;
  }

  /** The leader's gap between routine deltas, ms (0: none; what waits goes now). */
  pace(intervalMs: number): void {
    const changed = intervalMs !== this.#intervalMs;
    this.#intervalMs = intervalMs;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (intervalMs <= 0) return this.#release();
    // A new gap: a new phase (see the file comment); what waits, waits for it.
    if (changed) this.#lastSentMs = this.#clock.now() - (1 - this.#random()) * intervalMs;
    if (this.#held !== undefined) this.offer(this.#held);
  }

  /** The connection closed: what waits is dropped (the next hello carries it) and pacing ends. */
  reset(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#held = undefined;
    this.#intervalMs = 0;
  }

  /** Sends now, or holds until the pace allows. */
  offer(reports: readonly EngineReport[]): void {
    const waitMs = this.#lastSentMs + this.#intervalMs - this.#clock.now();
    if (this.#intervalMs <= 0 || waitMs <= 0) {
      this.#held = reports;
      this.#release();
      return;
    }
    this.#held = reports;
    this.#timer ??= setTimeout(() => {
      this.#timer = undefined;
      this.#release();
    }, waitMs).unref();
  }

  #release(): void {
    const held = this.#held;
    this.#held = undefined;
    if (held !== undefined && this.#send(held)) this.#lastSentMs = this.#clock.now();
  }
}
