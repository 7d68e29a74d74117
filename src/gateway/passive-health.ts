/**
 * Passive health checks: consecutive connect failures or timeouts eject an engine for a back-off
 * period that doubles on each ejection (capped); when it expires a probe decides whether it comes
 * back. A success resets everything. Pure: the caller supplies the time.
 */

/** When passive health ejects an engine after failed requests, and for how long. */
export interface PassiveHealthPolicy {
  /** Consecutive failures that eject an engine. Default 3. */
  readonly consecutiveFailures: number;
  /** First ejection, ms. Default 5000. */
  readonly baseEjectionMs: number;
  /** Longest ejection, ms. Default 60000. */
  readonly maxEjectionMs: number;
}

interface Entry {
  failures: number;
  ejections: number;
  ejectedUntilMs: number;
}

/** Most endpoints tracked; entries of endpoints that vanished are pruned past this. */
const MAX_ENTRIES = 100_000;

/**
 * Ejects an engine after consecutive failed requests, with a growing ejection time, so the gateway
 * stops sending traffic to it before its agent reports it.
 */
export class PassiveHealth {
  readonly #policy: PassiveHealthPolicy;
  readonly #entries = new Map<string, Entry>();

  constructor(policy: PassiveHealthPolicy) {
    this.#policy = policy;
  }

  /** Records a request that reached the engine (any HTTP answer). */
  recordSuccess(id: string): void {
    this.#entries.delete(id);
  }

  /** Records a connect failure or timeout. Returns true when this ejects the engine. */
  recordFailure(id: string, nowMs: number): boolean {
    let entry = this.#entries.get(id);
    if (entry === undefined) {
      if (this.#entries.size >= MAX_ENTRIES) this.#entries.clear();
      entry = { failures: 0, ejections: 0, ejectedUntilMs: 0 };
      this.#entries.set(id, entry);
    }
    entry.failures++;
    if (entry.failures < this.#policy.consecutiveFailures || entry.ejectedUntilMs > nowMs)
      return false;
    const periodMs = Math.min(
      this.#policy.maxEjectionMs,
      this.#policy.baseEjectionMs * 2 ** entry.ejections,
    );
    entry.ejections++;
    entry.ejectedUntilMs = nowMs + periodMs;
    return true;
  }

  /** True while the engine is ejected, or its ejection expired but no probe has cleared it yet. */
  isEjected(id: string): boolean {
    const entry = this.#entries.get(id);
    return entry !== undefined && entry.ejectedUntilMs > 0;
  }

  /** Ejected engines whose back-off has expired: probe them now. */
  dueForProbe(nowMs: number): string[] {
    const out: string[] = [];
    for (const [id, e] of this.#entries)
      if (e.ejectedUntilMs > 0 && e.ejectedUntilMs <= nowMs) out.push(id);
    return out;
  }

  /** A probe failed: eject again for the next, longer period. */
  probeFailed(id: string, nowMs: number): void {
    const entry = this.#entries.get(id);
    if (entry === undefined) return;
    const periodMs = Math.min(
      this.#policy.maxEjectionMs,
      this.#policy.baseEjectionMs * 2 ** entry.ejections,
    );
    entry.ejections++;
    entry.ejectedUntilMs = nowMs + periodMs;
  }

  /** Ids currently ejected (for status and metrics). */
  ejected(): string[] {
    return [...this.#entries].filter(([, e]) => e.ejectedUntilMs > 0).map(([id]) => id);
  }
}
