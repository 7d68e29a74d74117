/**
 * A fixed-capacity ring: pushing past the capacity overwrites the oldest entry. O(1) push, no
 * allocation after the first lap, so hot paths (the gateway's pick) can feed it per request.
 */
export class RingBuffer<T> {
  readonly capacity: number;
  readonly #items: (T | undefined)[];
  #next = 0;
  #size = 0;

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError(`ring capacity must be a positive integer, got ${capacity}`);
    this.capacity = capacity;
    this.#items = new Array<T | undefined>(capacity);
  }

  /** Entries held now (≤ capacity). */
  get size(): number {
    return this.#size;
  }

  push(item: T): void {
    this.#items[this.#next] = item;
    this.#next = (this.#next + 1) % this.capacity;
    if (this.#size < this.capacity) this.#size++;
  }

  /** The entries, newest first; at most `limit`. */
  newestFirst(limit = this.capacity): T[] {
    const out: T[] = [];
    const n = Math.min(limit, this.#size);
    for (let i = 1; i <= n; i++)
      out.push(this.#items[(this.#next - i + this.capacity) % this.capacity] as T);
    return out;
  }

  /** The entries, oldest first. */
  oldestFirst(): T[] {
    return this.newestFirst().reverse();
  }

  /** Drops every entry. */
  clear(): void {
    this.#items.fill(undefined);
    this.#next = 0;
    this.#size = 0;
  }
}
