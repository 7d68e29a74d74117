/**
 * The keyed work queue of the reconcile host, after client-go's `workqueue.Type`: a key queued
 * twice is processed once; a key is handed to at most one worker at a time; a key added while
 * it is being processed is marked dirty and queued again when that processing is done, so the
 * change is never lost. Pure data structure: no timers, no I/O.
 */

/** What {@link WorkQueue.add} did with a key. */
export type AddOutcome = 'queued' | 'already-queued' | 'marked-dirty' | 'full';

export class WorkQueue {
  readonly #maxKeys: number;
  /** Keys waiting for a worker, in arrival order (a Set keeps insertion order). */
  readonly #queued = new Set<string>();
  /** Keys handed to a worker and not yet done. */
  readonly #processing = new Set<string>();
  /** Keys added while processing: queued again on done. */
  readonly #dirty = new Set<string>();

  /** @param maxKeys most keys waiting (queued plus dirty); adds past it are refused. */
  constructor(maxKeys: number) {
    if (!(maxKeys >= 1)) throw new RangeError(`maxKeys must be at least 1, got ${maxKeys}`);
    this.#maxKeys = maxKeys;
  }

  /** Keys waiting for a worker (the `workqueue_depth` gauge). */
  get depth(): number {
    return this.#queued.size + this.#dirty.size;
  }

  /** Keys being processed. */
  get inFlight(): number {
    return this.#processing.size;
  }

  /** Queues a key unless it is already waiting; 'full' when the bound is reached. */
  add(key: string): AddOutcome {
    if (this.#queued.has(key) || this.#dirty.has(key)) return 'already-queued';
    if (this.depth >= this.#maxKeys) return 'full';
    if (this.#processing.has(key)) {
      this.#dirty.add(key);
      return 'marked-dirty';
    }
    this.#queued.add(key);
    return 'queued';
  }

  /** Takes the oldest waiting key and marks it in process; undefined when none waits. */
  next(): string | undefined {
    const key = this.#queued.values().next();
    if (key.done === true) return undefined;
    this.#queued.delete(key.value);
    this.#processing.add(key.value);
    return key.value;
  }

  /** Ends the processing of a key; true when it was dirty and is now queued again. */
  done(key: string): boolean {
    this.#processing.delete(key);
    if (!this.#dirty.delete(key)) return false;
    this.#queued.add(key);
    return true;
  }
}
