/**
 * The RayClusterFleet controller's expectations (the Deployment/ReplicaSet controllers'
 * ControllerExpectations, by name): a cluster it created counts as existing until the informer
 * shows it, and one it deleted counts as leaving until the informer shows it going, so a
 * reconcile that runs before the cache catches up never creates or deletes twice. An
 * expectation lapses after `ttlMs` (Kubernetes' 5 minutes) so a lost watch event cannot stall
 * a fleet for good. Bounded: at most `maxFleets` fleets are remembered (oldest dropped).
 */

/** A create not yet seen. */
export interface PendingCreate {
  readonly name: string;
  readonly hash: string;
  readonly atMs: number;
}

interface FleetExpectation {
  readonly creates: Map<string, PendingCreate>;
  readonly deletes: Map<string, number>;
}

/** Expectations of every fleet, keyed `<namespace>/<name>`. */
export class FleetExpectations {
  readonly #byFleet = new Map<string, FleetExpectation>();
  readonly #ttlMs: number;
  readonly #maxFleets: number;

  constructor(ttlMs = 300_000, maxFleets = 10_000) {
    this.#ttlMs = ttlMs;
    this.#maxFleets = maxFleets;
  }

  #entry(key: string): FleetExpectation {
    let entry = this.#byFleet.get(key);
    if (entry === undefined) {
      if (this.#byFleet.size >= this.#maxFleets) {
        const oldest = this.#byFleet.keys().next().value;
        if (oldest !== undefined) this.#byFleet.delete(oldest);
      }
      entry = { creates: new Map(), deletes: new Map() };
      this.#byFleet.set(key, entry);
    }
    return entry;
  }

  expectCreate(key: string, create: PendingCreate): void {
    this.#entry(key).creates.set(create.name, create);
  }

  expectDelete(key: string, name: string, nowMs: number): void {
    this.#entry(key).deletes.set(name, nowMs);
  }

  /** A create that failed: it will never be seen. */
  forgetCreate(key: string, name: string): void {
    this.#byFleet.get(key)?.creates.delete(name);
  }

  /**
   * Settles the expectations against the names the cache shows (and which of them are being
   * deleted); returns the creates still unseen and the names still expected to leave.
   */
  settle(
    key: string,
    seen: ReadonlyMap<string, { readonly deleting: boolean }>,
    nowMs: number,
  ): { readonly creates: readonly PendingCreate[]; readonly deleting: ReadonlySet<string> } {
    const entry = this.#byFleet.get(key);
    if (entry === undefined) return { creates: [], deleting: new Set() };
    for (const [name, c] of entry.creates)
      if (seen.has(name) || nowMs - c.atMs > this.#ttlMs) entry.creates.delete(name);
    for (const [name, at] of entry.deletes) {
      const cluster = seen.get(name);
      if (cluster === undefined || cluster.deleting || nowMs - at > this.#ttlMs)
        entry.deletes.delete(name);
    }
    if (entry.creates.size === 0 && entry.deletes.size === 0) this.#byFleet.delete(key);
    return { creates: [...entry.creates.values()], deleting: new Set(entry.deletes.keys()) };
  }

  /** Drops a fleet that is gone. */
  forget(key: string): void {
    this.#byFleet.delete(key);
  }

  /** Fleets with open expectations (for leak checks). */
  get size(): number {
    return this.#byFleet.size;
  }
}
