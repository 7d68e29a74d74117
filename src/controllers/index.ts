/**
 * The controller room: the one reconcile host every controller shares (DESIGN.md §8b, STYLE.md
 * §6–§7) — a bounded, de-duplicating keyed work queue, level-triggered `reconcile(key)` with
 * per-key backoff, requeue-after and terminal errors, periodic resync, status writes with
 * conflict retry, Events through a correlating recorder, and controller-runtime's metrics.
 *
 * What lives here is the loop and its ports, never a resource's logic: a controller (GPU
 * remediation, ModelAdapter, PodAutoscaler, RayClusterFleet, KVCache) lives in its own
 * capability's room, implements {@link Reconciler} and is wired in a composition root.
 * May import: `src/shared` only (no Kubernetes client, no agent protocol, no other room), so
 * every capability can depend on it without a cycle. Kubernetes adapters of its ports (an
 * Event sink, a status store) live in `src/kube`.
 */
export {
  DONE,
  TerminalError,
  type ReconcileContext,
  type ReconcileResult,
  type Reconciler,
} from './reconciler.js';
export type { KeySource } from './key-source.js';
export { viewKeys, type ViewEntries, type ViewSource } from './view-keys.js';
export { systemTimers, type Timers } from './timers.js';
export { WorkQueue, type AddOutcome } from './work-queue.js';
export {
  reconcileOutcome,
  type ReconcileOutcome,
  type ReconcileSettled,
} from './reconcile-outcome.js';
export { ControllerMetrics, type ReconcileResultLabel } from './controller-metrics.js';
export {
  DEFAULT_RECONCILE_HOST_SETTINGS,
  ReconcileHost,
  type ReconcileHostOptions,
  type ReconcileHostSettings,
} from './reconcile-host.js';
export {
  CorrelatingEventRecorder,
  InMemoryEventSink,
  type ControllerEvent,
  type CorrelatingEventRecorderOptions,
  type EventCallOptions,
  type EventObjectReference,
  type EventRecorder,
  type EventSink,
} from './event-recorder.js';
export {
  ConflictRetryingStatusWriter,
  isConflict,
  type StatusCallOptions,
  type StatusMutation,
  type StatusStore,
  type StatusWriter,
  type VersionedStatus,
} from './status-writer.js';
export { InMemoryStatusStore } from './in-memory-status-store.js';
