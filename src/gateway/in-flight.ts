/**
 * Requests the gateway has in flight, per endpoint: exact, no scrape lag. Each request can be
 * cancelled, so an engine taken out of service (a failed GPU) gets a drain deadline after which
 * what is still running on it is cut. Beside the count it keeps the prompt tokens still waiting
 * for their first output token per endpoint — the prefill work queued ahead of a new request,
 * which a request count cannot tell (one 100k-token prompt weighs as much as fifty short ones).
 */
export class InFlightTracker {
  readonly #counts = new Map<string, number>();
  readonly #prefill = new Map<string, number>();
  readonly #cancels = new Map<string, Set<() => void>>();
  #total = 0;

  get(id: string): number {
    return this.#counts.get(id) ?? 0;
  }

  /** Prompt tokens of requests to `id` that have not produced output yet. */
  prefillTokens(id: string): number {
    return this.#prefill.get(id) ?? 0;
  }

  /**
   * Counts `tokens` of prompt as waiting for prefill on `id`; returns the function that marks
   * the prefill as done (call it on the first output byte, and again when the request ends:
   * it is idempotent).
   */
  startPrefill(id: string, tokens: number): () => void {
    if (tokens <= 0) return () => undefined;
    this.#prefill.set(id, this.prefillTokens(id) + tokens);
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const left = this.prefillTokens(id) - tokens;
      if (left <= 0) this.#prefill.delete(id);
      else this.#prefill.set(id, left);
    };
  }

  get total(): number {
    return this.#total;
  }

  /** Counts one request; returns the function that uncounts it (idempotent). */
  start(id: string, cancel?: () => void): () => void {
    this.#counts.set(id, this.get(id) + 1);
    this.#total++;
    if (cancel !== undefined) {
      const set = this.#cancels.get(id) ?? new Set();
      set.add(cancel);
      this.#cancels.set(id, set);
    }
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.#total--;
      const left = this.get(id) - 1;
      if (left <= 0) this.#counts.delete(id);
      else this.#counts.set(id, left);
      if (cancel !== undefined) {
        const set = this.#cancels.get(id);
        set?.delete(cancel);
        if (set?.size === 0) this.#cancels.delete(id);
      }
    };
  }

  /**
   * Lets the requests now in flight to `id` run for `timeoutMs`, then cancels the ones still
   * running. Returns how many were in flight.
   */
  drain(id: string, timeoutMs: number): number {
    const pending = [...(this.#cancels.get(id) ?? [])];
    if (pending.length > 0) {
      setTimeout(() => {
        for (const cancel of pending) if (this.#cancels.get(id)?.has(cancel) === true) cancel();
      }, timeoutMs).unref();
    }
    return pending.length;
  }
}
