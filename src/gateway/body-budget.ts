/**
 * The process-wide budget of request-body bytes in flight. Each concurrent request holds its
 * body (and, once parsed, a few times that in objects) until it is answered, so the number of
 * concurrent bodies, not their individual limit, decides the gateway's memory: 48 bodies of
 * 8 MiB reached 1 GB before this existed. A request whose body does not fit is refused with 503
 * and Retry-After instead of being read. Pure bookkeeping: no I/O, no timers.
 */

/** One request's share of the budget; grows as its body arrives, released once. */
export interface BodyLease {
  /** Takes `bytes` more; false (and nothing taken) when the budget cannot give them. */
  grow(bytes: number): boolean;
  /** Gives back everything this lease took. Idempotent. */
  release(): void;
}

/** Counts in-flight request-body bytes against `maxBytes`. */
export class BodyBudget {
  readonly maxBytes: number;
  #inUseBytes = 0;

  /** @param maxBytes the most body bytes all in-flight requests may hold together (≥ 1). */
  constructor(maxBytes: number) {
    this.maxBytes = maxBytes;
  }

  /** Bytes held by leases now. */
  get inUseBytes(): number {
    return this.#inUseBytes;
  }

  /** A new, empty lease. */
  lease(): BodyLease {
    let held = 0;
    let released = false;
    return {
      grow: (bytes) => {
        if (released || this.#inUseBytes + bytes > this.maxBytes) return false;
        this.#inUseBytes += bytes;
        held += bytes;
        return true;
      },
      release: () => {
        if (released) return;
        released = true;
        this.#inUseBytes -= held;
        held = 0;
      },
    };
  }
}
