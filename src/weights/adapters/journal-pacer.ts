/**
 * When a pulled file's resume journal is saved: at most every JOURNAL_EVERY_PARTS parts or
 * JOURNAL_EVERY_MS, so flushing does not dominate the pull, with one save at a time (a part that
 * finishes during a save asks for one more, which then runs straight after).
 */
import type { Clock } from '../../shared/index.js';

/** Journal at least this many parts apart... */
export const JOURNAL_EVERY_PARTS = 16;
/** ...or this long apart, ms, whichever comes first. */
export const JOURNAL_EVERY_MS = 1000;

/** Paces the journal saves of one file (see the file comment). */
export class JournalPacer {
  readonly #clock: Clock;
  readonly #save: () => Promise<void>;
  readonly #track: (task: Promise<void>) => void;
  #parts = 0;
  #atMs: number;
  #saving: Promise<void> | undefined;
  #again = false;

  /**
   * @param save writes the journal once.
   * @param track hands each save to the pull, which awaits it and takes its failure.
   */
  constructor(clock: Clock, save: () => Promise<void>, track: (task: Promise<void>) => void) {
    this.#clock = clock;
    this.#save = save;
    this.#track = track;
    this.#atMs = clock.monotonicMs();
  }

  /** The save running now, if any (awaited before a restart, a publish or a failure's cleanup). */
  get saving(): Promise<void> | undefined {
    return this.#saving;
  }

  /** A part finished (not the last): save when enough parts or time went by. */
  partDone(): void {
    this.#parts++;
    const now = this.#clock.monotonicMs();
    if (this.#parts < JOURNAL_EVERY_PARTS && now - this.#atMs < JOURNAL_EVERY_MS) return;
    this.#parts = 0;
    this.#atMs = now;
    if (this.#saving !== undefined) {
      this.#again = true;
      return;
    }
    this.#saving = this.#saveUntilCurrent();
    this.#track(this.#saving);
  }

  async #saveUntilCurrent(): Promise<void> {
    try {
      let again = true;
      while (again) {
        this.#again = false;
        await this.#save();
        // Set again by a part that finished while this save was running.
        again = this.#again;
      }
    } finally {
      this.#saving = undefined;
    }
  }
}
