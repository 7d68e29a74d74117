/**
 * What the host does after one reconcile, decided from how it ended: pure, so the retry rules
 * (controller-runtime's `reconcileHandler`) are read and tested in one place.
 */
import { TerminalError, type ReconcileResult } from './reconciler.js';

/** How a reconcile settled. */
export type ReconcileSettled =
  | { readonly kind: 'returned'; readonly result: ReconcileResult | undefined }
  | { readonly kind: 'threw'; readonly error: unknown };

/** The host's next step for the key. */
export type ReconcileOutcome =
  | { readonly label: 'success'; readonly next: 'forget' }
  | { readonly label: 'requeue_after'; readonly next: 'after'; readonly delayMs: number }
  | { readonly label: 'error'; readonly next: 'backoff'; readonly error: unknown }
  | { readonly label: 'error'; readonly next: 'terminal'; readonly error: TerminalError };

/**
 * Success forgets the key's backoff; `requeueAfterMs` > 0 forgets it too and asks for a delayed
 * requeue; an error backs off; a TerminalError is not retried.
 */
export function reconcileOutcome(settled: ReconcileSettled): ReconcileOutcome {
  if (settled.kind === 'threw') {
    const { error } = settled;
    return error instanceof TerminalError
      ? { label: 'error', next: 'terminal', error }
      : { label: 'error', next: 'backoff', error };
  }
  const delayMs = settled.result?.requeueAfterMs ?? 0;
  return Number.isFinite(delayMs) && delayMs > 0
    ? { label: 'requeue_after', next: 'after', delayMs }
    : { label: 'success', next: 'forget' };
}
