/**
 * Custom resources' statuses in the static mode (the cluster file has no API server to hold
 * them): one InMemoryStatusStore per kind, kept in step with discovery (a resource that appears
 * gets its file status, one that goes is forgotten), and the view `GET /v1/resources` shows.
 * Controllers write through the same StatusStore port as on Kubernetes.
 */
import { InMemoryStatusStore } from '../controllers/index.js';
import type { CustomResource } from '../discovery/index.js';

const keyOf = (r: CustomResource): string =>
  `${r.metadata.namespace ?? 'default'}/${r.metadata.name}`;

/** In-memory statuses by kind, synced with discovery's resources. */
export class StaticResourceStatuses {
  readonly #stores = new Map<string, InMemoryStatusStore<unknown>>();
  readonly #keys = new Map<string, Set<string>>();

  /** The store of one kind (created on first use). */
  storeFor<S>(kind: string): InMemoryStatusStore<S> {
    let store = this.#stores.get(kind);
    if (store === undefined) {
      store = new InMemoryStatusStore<unknown>();
      this.#stores.set(kind, store);
      this.#keys.set(kind, new Set());
    }
    return store as InMemoryStatusStore<S>;
  }

  /** Adds resources new to discovery and forgets those it no longer lists. */
  sync(resources: readonly CustomResource[]): void {
    for (const [kind, store] of this.#stores) {
      const known = this.#keys.get(kind) ?? new Set<string>();
      const now = new Set<string>();
      for (const r of resources) {
        if (r.kind !== kind) continue;
        const key = keyOf(r);
        now.add(key);
        if (!known.has(key) && store.put(key, r.status ?? {})) known.add(key);
      }
      for (const key of known)
        if (!now.has(key)) {
          store.delete(key);
          known.delete(key);
        }
    }
  }

  /** The resources with the statuses held here laid over theirs. */
  withStatuses(resources: readonly CustomResource[]): CustomResource[] {
    return resources.map((r) => {
      const status = this.#stores.get(r.kind)?.get(keyOf(r));
      return status === undefined ? r : { ...r, status };
    });
  }
}
