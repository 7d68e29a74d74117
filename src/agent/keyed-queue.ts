/**
 * Calls run one after the other per key, different keys at once. Bounded by the calls in flight:
 * a key's entry goes when its last call settles.
 */

/** See the file comment. */
export class KeyedQueue {
  readonly #tails = new Map<string, Promise<unknown>>();

  /** Whether a call under `key` is queued or running. */
  has(key: string): boolean {
    return this.#tails.has(key);
  }

  /** Runs `call` once the calls queued before it under `key` settled (whatever their outcome). */
  run<T>(key: string, call: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(key) ?? Promise.resolve();
    const next = previous.then(call, call);
    const tail = next.catch(() => undefined);
    this.#tails.set(key, tail);
    void tail.then(() => {
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    });
    return next;
  }
}
