/**
 * How one gateway request is cancelled: the client leaving before its response finished, or the
 * drain deadline of the engine serving it. The upstream call registers a plain callback
 * (`whenCancelled`) that destroys its request directly, instead of an 'abort' listener on an
 * AbortSignal: EventTarget listeners cost measurable CPU per request (gateway-profile.md). An
 * AbortSignal is made only on first use, by the waits that take one: admission when a rate limit
 * applies (it may wait on the store) and the model hold. Most requests never make one.
 */
import type { ServerResponse } from 'node:http';

/** What an upstream call needs to know of its request's cancellation. */
export interface CancelHook {
  /** True once the request was cancelled. */
  readonly cancelled: boolean;
  /** Calls `cancel` once when the request is cancelled; returns its unregistration. */
  whenCancelled(cancel: () => void): () => void;
}

const NOTHING = (): void => undefined;

/** One request's cancellation; see the file comment. */
export class RequestCancel implements CancelHook {
  #cancelled = false;
  #controller: AbortController | undefined;
  /** The one upstream call in flight (attempts are sequential), if any. */
  #onCancel: (() => void) | undefined;

  /** Cancels when `res` closes before it finished (the client went away). */
  constructor(res: ServerResponse) {
    // Only a client that leaves before the response is done cancels: aborting after a finished
    // response would build an AbortError (a DOMException with a stack) per request for nothing.
    res.on('close', () => {
      if (!res.writableFinished) this.cancel();
    });
  }

  get cancelled(): boolean {
    return this.#cancelled;
  }

  /** An AbortSignal that aborts on cancellation, for APIs that take one (made on first use). */
  get signal(): AbortSignal {
    if (this.#controller === undefined) {
      this.#controller = new AbortController();
      if (this.#cancelled) this.#controller.abort();
    }
    return this.#controller.signal;
  }

  whenCancelled(cancel: () => void): () => void {
    if (this.#cancelled) {
      cancel();
      return NOTHING;
    }
    this.#onCancel = cancel;
    return () => {
      if (this.#onCancel === cancel) this.#onCancel = undefined;
    };
  }

  /** Cancels the request (idempotent). */
  cancel(): void {
    if (this.#cancelled) return;
    this.#cancelled = true;
    this.#controller?.abort();
    const onCancel = this.#onCancel;
    this.#onCancel = undefined;
    onCancel?.();
  }
}
