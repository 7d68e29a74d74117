/**
 * Status writes with conflict retry, after client-go's `retry.RetryOnConflict`: a controller
 * says how to change the status (`mutate`), and the writer reads the latest version, applies the
 * change and writes it guarded by that version; a 409-like conflict (another writer got there
 * first: `K8S_CONFLICT`) means read again and re-apply, a bounded number of times. The store is
 * a port: an in-memory one now (static cluster file, tests), a Kubernetes status-subresource
 * adapter later.
 */
import { AppError } from '../shared/index.js';

/** A status with the version it was read at (a resourceVersion on Kubernetes). */
export interface VersionedStatus<S> {
  readonly status: S;
  readonly version: string;
}

/** Per-call options; adapters add their own request timeout. */
export interface StatusCallOptions {
  readonly signal?: AbortSignal;
}

/** The storage port. */
export interface StatusStore<S> {
  /** The current status, or undefined when the object does not exist. */
  read(key: string, options: StatusCallOptions): Promise<VersionedStatus<S> | undefined>;
  /** Writes if the stored version is still `version`; otherwise throws AppError `K8S_CONFLICT`. */
  write(
    key: string,
    status: S,
    version: string,
    options: StatusCallOptions,
  ): Promise<VersionedStatus<S>>;
}

/**
 * Returns the new status, or undefined to leave it as it is (no write). Called once per attempt
 * on the freshly read status, so it must be a pure function of its input.
 */
export type StatusMutation<S> = (current: S) => S | undefined;

/** The port controllers use. */
export interface StatusWriter<S> {
  /**
   * Applies `mutate` to the latest status and writes it. Resolves to the status now stored, or
   * undefined when the object does not exist (a level-triggered controller sees that next
   * time). Rethrows the last conflict after the attempts run out, and any other error at once.
   */
  update(
    key: string,
    mutate: StatusMutation<S>,
    options: StatusCallOptions,
  ): Promise<S | undefined>;
}

export const isConflict = (err: unknown): boolean =>
  err instanceof AppError && err.code === 'K8S_CONFLICT';

export class ConflictRetryingStatusWriter<S> implements StatusWriter<S> {
  readonly #store: StatusStore<S>;
  readonly #maxAttempts: number;

  /** @param maxAttempts writes tried before a conflict is rethrown. Default 5 (client-go's). */
  constructor(store: StatusStore<S>, options: { readonly maxAttempts?: number } = {}) {
    this.#store = store;
    this.#maxAttempts = Math.max(1, options.maxAttempts ?? 5);
  }

  async update(
    key: string,
    mutate: StatusMutation<S>,
    options: StatusCallOptions,
  ): Promise<S | undefined> {
    for (let attempt = 1; ; attempt++) {
      options.signal?.throwIfAborted();
      const current = await this.#store.read(key, options);
      if (current === undefined) return undefined;
      const next = mutate(current.status);
      if (next === undefined) return current.status;
      try {
        return (await this.#store.write(key, next, current.version, options)).status;
      } catch (err) {
        if (!isConflict(err) || attempt >= this.#maxAttempts) throw err;
      }
    }
  }
}
