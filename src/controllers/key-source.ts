/**
 * Where a controller's keys come from: informers, the static cluster file (via discovery), the
 * leader's cluster state. Events only name keys and never carry state (STYLE.md §6); `list`
 * gives every key that exists now, for the start and for the periodic resync.
 */
export interface KeySource {
  /** Calls `onKey` for each key that may have changed; returns the unsubscribe function. */
  watch(onKey: (key: string) => void): () => void;
  /** Every key that exists now. */
  list(): Iterable<string>;
}
