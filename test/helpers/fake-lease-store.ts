/** An in-memory LeaseStore with the API server's version guard (STYLE.md §19: fakes over mocks). */
import type { LeaseRecord, LeaseStore, StoredLease } from '../../src/leader/election/index.js';
import { AppError } from '../../src/shared/index.js';

export class FakeLeaseStore implements LeaseStore {
  #current: StoredLease | undefined;
  #version = 0;
  /** When set, every call fails with this error (an unreachable API server). */
  failWith: AppError | undefined;

  get current(): StoredLease | undefined {
    return this.#current;
  }

  get(): Promise<StoredLease | undefined> {
    if (this.failWith) return Promise.reject(this.failWith);
    return Promise.resolve(this.#current);
  }

  create(record: LeaseRecord): Promise<StoredLease> {
    if (this.failWith) return Promise.reject(this.failWith);
    if (this.#current) return Promise.reject(new AppError('K8S_CONFLICT', 'already exists'));
    this.#current = { record, version: String(++this.#version) };
    return Promise.resolve(this.#current);
  }

  update(record: LeaseRecord, version: string): Promise<StoredLease> {
    if (this.failWith) return Promise.reject(this.failWith);
    if (this.#current?.version !== version)
      return Promise.reject(new AppError('K8S_CONFLICT', 'stale version'));
    this.#current = { record, version: String(++this.#version) };
    return Promise.resolve(this.#current);
  }
}
