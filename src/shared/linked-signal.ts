/**
 * A per-call AbortSignal tied to long-lived ones (the process stop signal, a leadership signal)
 * that lets go of them when the call is done.
 *
 * Why not `AbortSignal.any([processSignal, AbortSignal.timeout(ms)])`: on Node 20 every composite
 * built on a long-lived signal stays in that signal's dependants set for as long as the signal
 * lives (nodejs/node#55351; ~60 bytes per call measured here, and it never shrinks after GC).
 * A loop that scrapes every 500 ms would grow without bound. Here the listener on each parent is
 * removed and the timer cleared by `dispose()`, so a loop can make one per cycle forever.
 * For a plain wait, use {@link sleep} from lifecycle.ts, which removes its listener likewise.
 */

/** A signal that aborts when any parent aborts or the timeout passes; see {@link linkedSignal}. */
export interface LinkedSignal {
  readonly signal: AbortSignal;
  /** True when the signal aborted because `timeoutMs` passed (not because a parent aborted). */
  readonly timedOut: boolean;
  /** Removes the listeners on the parents and clears the timer. Idempotent; call in `finally`. */
  readonly dispose: () => void;
}

/**
 * Builds a signal that aborts with the first parent's reason when any parent aborts, or with a
 * `TimeoutError` DOMException (as `AbortSignal.timeout` does) after `timeoutMs` when given.
 * Already-aborted parents abort it at once. The caller must call `dispose()` when the call is
 * settled; until then it holds one listener per parent and one unref'd timer.
 */
export function linkedSignal(
  parents: readonly (AbortSignal | undefined)[],
  timeoutMs?: number,
): LinkedSignal {
  const controller = new AbortController();
  const linked: AbortSignal[] = [];
  let timer: NodeJS.Timeout | undefined;
  let timedOut = false;
  const dispose = (): void => {
    clearTimeout(timer);
    for (const parent of linked) parent.removeEventListener('abort', onParentAbort);
    linked.length = 0;
  };
  function onParentAbort(this: AbortSignal): void {
    controller.abort(this.reason);
    dispose();
  }
  for (const parent of parents) {
    if (parent === undefined) continue;
    if (parent.aborted) {
      controller.abort(parent.reason);
      dispose();
      break;
    }
    parent.addEventListener('abort', onParentAbort, { once: true });
    linked.push(parent);
  }
  if (timeoutMs !== undefined && !controller.signal.aborted) {
    timer = setTimeout(() => {
      timedOut = true;
      controller.abort(
        new DOMException('The operation was aborted due to timeout', 'TimeoutError'),
      );
      dispose();
    }, timeoutMs);
    timer.unref();
  }
  return {
    signal: controller.signal,
    get timedOut() {
      return timedOut;
    },
    dispose,
  };
}
