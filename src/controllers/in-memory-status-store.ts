/**
 * Statuses in memory with a version per object, for the static cluster file and tests: the same
 * optimistic-concurrency contract as the Kubernetes status subresource (a write at a stale
 * version is a `K8S_CONFLICT`). Bounded: `put` refuses new objects past `maxObjects`.
 */
import { AppError } from '../shared/index.js';
import type { StatusStore, VersionedStatus } from './status-writer.js';

export class InMemoryStatusStore<S> implements StatusStore<S> {
  readonly #objects = new Map<string, { status: S; version: number }>();
  readonly #maxObjects: number;

  /** @param maxObjects most objects held. Default 10000. */
  constructor(maxObjects = 10_000) {
    this.#maxObjects = maxObjects;
  }

  /** Creates or replaces an object's status (what discovery or another writer does); false when full. */
  put(key: string, status: S): boolean {
    const existing = this.#objects.get(key);
    if (existing === undefined && this.#objects.size >= this.#maxObjects) return false;
    this.#objects.set(key, { status, version: (existing?.version ?? 0) + 1 });
    return true;
  }

  /** Forgets an object (it was deleted). */
  delete(key: string): void {
    this.#objects.delete(key);
  }

  /** The stored status, without its version. */
  get(key: string): S | undefined {
    return this.#objects.get(key)?.status;
  }

  read(key: string): Promise<VersionedStatus<S> | undefined> {
    const o = this.#objects.get(key);
    return Promise.resolve(o && { status: o.status, version: String(o.version) });
  }

  write(key: string, status: S, version: string): Promise<VersionedStatus<S>> {
    const o = this.#objects.get(key);
    if (o === undefined) {
      return Promise.reject(new AppError('K8S_NOT_FOUND', `no object ${key}`, { httpStatus: 404 }));
    }
    if (String(o.version) !== version) {
      return Promise.reject(
        new AppError('K8S_CONFLICT', `${key}: version ${version} is stale (now ${o.version})`, {
          httpStatus: 409,
        }),
      );
    }
    o.status = status;
    o.version++;
    return Promise.resolve({ status, version: String(o.version) });
  }
}
