/**
 * A key source over anything that holds a current view and calls back on each new one — the
 * discovery `ClusterSource` (the static cluster file, or Kubernetes informers) is one. Each
 * view is reduced to `[key, fingerprint]` entries (for a custom resource: `namespace/name` and
 * its resourceVersion or content); a new view names only the keys whose fingerprint changed and
 * the keys that disappeared (so the controller sees the deletion). Memory: one fingerprint per
 * key of the current view.
 */
import type { KeySource } from './key-source.js';

/** The part of a view holder this needs (discovery's ClusterSource has this shape). */
export interface ViewSource<V> {
  current(): V;
  onChange(listener: (view: V) => void): () => void;
}

/** Keys and fingerprints of one view; equal fingerprints mean nothing to reconcile. */
export type ViewEntries<V> = (view: V) => Iterable<readonly [key: string, fingerprint: string]>;

export function viewKeys<V>(source: ViewSource<V>, entries: ViewEntries<V>): KeySource {
  return {
    watch(onKey) {
      let last = new Map(entries(source.current()));
      return source.onChange((view) => {
        const next = new Map(entries(view));
        for (const [key, fingerprint] of next) if (last.get(key) !== fingerprint) onKey(key);
        for (const key of last.keys()) if (!next.has(key)) onKey(key);
        last = next;
      });
    },
    list: () => Array.from(entries(source.current()), ([key]) => key),
  };
}
