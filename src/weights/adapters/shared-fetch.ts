/**
 * One fetch that several callers wait on (single flight). A caller that gives up stops waiting
 * without cancelling the others; the fetch itself is aborted only when the last caller has gone
 * (or the cache's lifetime ends). This is what lets four engines asking for one model cost one
 * upstream fetch, and what keeps one impatient client from killing everyone's pull.
 */
import { AppError, linkedSignal, type LinkedSignal } from '../../shared/index.js';

/** The WEIGHTS_ABORTED error a caller (or the fetch) gets when its signal aborts. */
export function pullAborted(reason: string): AppError {
  return new AppError('WEIGHTS_ABORTED', reason, { httpStatus: 499 });
}

/** A fetch shared by every caller of one artifact; see the file comment. */
export class SharedFetch<T> {
  /** Aborted when the last caller leaves; one parent of the fetch's signal. */
  readonly #lastCallerGone = new AbortController();
  readonly #linked: LinkedSignal;
  #waiters = 0;
  #settled = false;
  #result: Promise<T> | undefined;

  /** `lifetime` aborts the fetch whatever the callers (the cache is stopping). */
  constructor(lifetime: AbortSignal) {
    this.#linked = linkedSignal([lifetime, this.#lastCallerGone.signal]);
  }

  /** The fetch's own signal: aborts when the last caller leaves or the lifetime ends. */
  get signal(): AbortSignal {
    return this.#linked.signal;
  }

  /** Callers still waiting. */
  get waiters(): number {
    return this.#waiters;
  }

  /** Starts the fetch once; its promise is what every caller joins. */
  start(run: (signal: AbortSignal) => Promise<T>): void {
    const result = run(this.#linked.signal).finally(() => {
      this.#settled = true;
      this.#linked.dispose();
    });
    // Settled errors are delivered to each joined caller; none is left unhandled here.
    result.catch(() => undefined);
    this.#result = result;
  }

  /**
   * Waits for the fetch on behalf of one caller. When `signal` aborts first, this caller alone
   * rejects with WEIGHTS_ABORTED; the fetch goes on while another caller still waits.
   */
  join(signal: AbortSignal): Promise<T> {
    const result = this.#result;
    if (result === undefined) return Promise.reject(new Error('SharedFetch joined before start'));
    this.#waiters += 1;
    return new Promise<T>((resolve, reject) => {
      let done = false;
      const onAbort = (): void => {
        if (done) return;
        done = true;
        this.#leave();
        reject(pullAborted('the caller stopped waiting for the pull'));
      };
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      result.then(
        (value) => {
          if (done) return;
          done = true;
          signal.removeEventListener('abort', onAbort);
          resolve(value);
        },
        (err: unknown) => {
          if (done) return;
          done = true;
          signal.removeEventListener('abort', onAbort);
          reject(err instanceof Error ? err : new Error(String(err)));
        },
      );
    });
  }

  #leave(): void {
    this.#waiters -= 1;
    if (this.#waiters === 0 && !this.#settled)
      this.#lastCallerGone.abort(pullAborted('every caller of the pull has gone'));
  }
}
