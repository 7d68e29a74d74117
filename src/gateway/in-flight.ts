/** Requests the gateway has in flight, per endpoint: exact, no scrape lag. */
export class InFlightTracker {
  readonly #counts = new Map<string, number>();
  #total = 0;

  get(id: string): number {
    return this.#counts.get(id) ?? 0;
  }

  get total(): number {
    return this.#total;
  }

  /** Counts one request; returns the function that uncounts it (idempotent). */
  start(id: string): () => void {
    this.#counts.set(id, this.get(id) + 1);
    this.#total++;
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.#total--;
      const left = this.get(id) - 1;
      if (left <= 0) this.#counts.delete(id);
      else this.#counts.set(id, left);
    };
  }
}
