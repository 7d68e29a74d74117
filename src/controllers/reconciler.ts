/**
 * The contract between the reconcile host and one controller (STYLE.md §6, after
 * controller-runtime's `Reconciler`): the host hands a key and a per-reconcile context; the
 * controller reads current state, decides with pure code, acts through ports, and says whether
 * and when to look again. Level-triggered: the key carries no event payload, so a reconcile
 * always works from what is true now, and a lost event costs only latency until the next resync.
 */
import type { Logger } from '../shared/index.js';

/** What a reconcile receives besides its key. */
export interface ReconcileContext {
  /**
   * Aborts when the host stops (leadership lost, SIGTERM) or the reconcile passes its timeout.
   * Scoped to this one reconcile: listeners added to it go away with it.
   */
  readonly signal: AbortSignal;
  /** A child logger bound to `controller`, `key` and `reconcileId`. */
  readonly log: Logger;
}

/**
 * How a reconcile ended when it did not throw. `{}` (or {@link DONE}) means converged;
 * `requeueAfterMs` above 0 asks to be reconciled again after that many ms (the error backoff
 * of the key is reset, as controller-runtime does for `RequeueAfter`).
 */
export interface ReconcileResult {
  readonly requeueAfterMs?: number;
}

/** The converged result. */
export const DONE: ReconcileResult = Object.freeze({});

/**
 * One controller's logic for one key. Throwing an ordinary error requeues the key with per-key
 * exponential backoff; throwing a {@link TerminalError} logs and counts it and does not retry
 * until the key is enqueued again by a source or a resync.
 */
export interface Reconciler {
  reconcile(key: string, context: ReconcileContext): Promise<ReconcileResult>;
}

/**
 * An error that retrying cannot fix (an invalid spec, a missing reference that only a user
 * edit can add). Counted in `infernode_controller_terminal_reconcile_errors_total`.
 */
export class TerminalError extends Error {
  constructor(message: string, options?: { readonly cause?: unknown }) {
    super(message, options);
    this.name = 'TerminalError';
  }
}
