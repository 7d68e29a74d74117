/**
 * The gateway's request log for the optimizer: one entry per finished request (model, input and
 * output tokens, when it finished), in a ring of fixed capacity. The oldest entries fall off
 * when it is full, and readers take only a recent window, so the log is bounded in memory and
 * in what it can claim about the load. Pure: the caller stamps the time.
 */

/** One finished request. */
export interface LoggedRequest {
  readonly model: string;
  readonly inputTokens: number;
  readonly outputTokens: number;
  /** When it finished, ms since the epoch (the gateway's clock). */
  readonly atMs: number;
}

/** Default ring capacity: ten minutes at ~160 requests/s, ~4 MB. */
export const DEFAULT_REQUEST_LOG_CAPACITY = 100_000;

/** A bounded, time-ordered log of finished requests. */
export class RequestLog {
  readonly capacity: number;
  readonly #ring: (LoggedRequest | undefined)[];
  #next = 0;
  #size = 0;
  #dropped = 0;

  constructor(capacity = DEFAULT_REQUEST_LOG_CAPACITY) {
    if (!Number.isInteger(capacity) || capacity < 1)
      throw new RangeError('request log capacity must be a positive integer');
    this.capacity = capacity;
    this.#ring = new Array<LoggedRequest | undefined>(capacity);
  }

  /** Entries held now. */
  get size(): number {
    return this.#size;
  }

  /** Entries overwritten because the ring was full (a window longer than the log holds). */
  get dropped(): number {
    return this.#dropped;
  }

  /**
   * Records a finished request. Entries with lengths that are not positive finite numbers are
   * ignored (an engine that reports no usage tells nothing about the load); returns whether kept.
   */
  record(entry: LoggedRequest): boolean {
    const ok = (n: number): boolean => Number.isFinite(n) && n >= 1;
    if (!ok(entry.inputTokens) || !ok(entry.outputTokens) || !Number.isFinite(entry.atMs))
      return false;
    if (this.#size === this.capacity) this.#dropped++;
    else this.#size++;
    this.#ring[this.#next] = entry;
    this.#next = (this.#next + 1) % this.capacity;
    return true;
  }

  /** Entries of `model` that finished in (nowMs − windowMs, nowMs], oldest first. */
  window(model: string, nowMs: number, windowMs: number): LoggedRequest[] {
    const from = nowMs - windowMs;
    const out: LoggedRequest[] = [];
    const start = (this.#next - this.#size + this.capacity) % this.capacity;
    for (let k = 0; k < this.#size; k++) {
      const e = this.#ring[(start + k) % this.capacity];
      if (e?.model === model && e.atMs > from && e.atMs <= nowMs) out.push(e);
    }
    return out;
  }
}
