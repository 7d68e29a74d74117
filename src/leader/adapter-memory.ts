/**
 * What the ModelAdapter controller remembers per adapter between reconciles (the placement's
 * AdapterObserved plus what it needs to unload after the resource is gone): engines holding it,
 * per-engine attempts, commands in flight, the rank a load reported, the last want and phase.
 * In memory only: a new leader starts empty and learns the truth from the engines' reports.
 * Bounded: past `maxAdapters` records a new adapter is refused (its reconcile fails and backs off)
 * rather than evicting one that may still hold engines.
 */
import type {
  AdapterObserved,
  AdapterWant,
  EngineAttempt,
  ModelAdapterPhase,
} from '../lora/index.js';
import { AppError } from '../shared/index.js';

/** One adapter's record. Mutable: only the controller's reconcile and command results touch it. */
export interface AdapterRecord {
  readonly key: string;
  /** The last valid want (kept to unload everywhere once the resource is gone). */
  want: AdapterWant;
  /** spec.artifactURL last seen (sent with unloads so the agent can free the files). */
  artifactUrl: string;
  readonly instances: Set<string>;
  attempts: ReadonlyMap<string, EngineAttempt>;
  readonly inFlight: Set<string>;
  /** The in-flight commands that are unloads. */
  readonly unloading: Set<string>;
  /** LoRA rank from the first successful load. */
  rank: number | undefined;
  /** Phase last written; undefined before the first status. */
  phase: ModelAdapterPhase | undefined;
  /** Replicas wanted and engines listing it, as the last plan counted them (for the gauges). */
  desiredReplicas: number;
  readyReplicas: number;
}

/** The records, by `<namespace>/<name>`. */
export class AdapterMemory {
  readonly #records = new Map<string, AdapterRecord>();
  readonly #maxAdapters: number;

  /** @param maxAdapters most adapters remembered. Default 10000. */
  constructor(maxAdapters = 10_000) {
    this.#maxAdapters = maxAdapters;
  }

  get size(): number {
    return this.#records.size;
  }

  get(key: string): AdapterRecord | undefined {
    return this.#records.get(key);
  }

  /** The record of `key`, created for `want` if new; throws COMMAND_QUEUE_FULL when full. */
  ensure(key: string, want: AdapterWant, artifactUrl: string): AdapterRecord {
    const existing = this.#records.get(key);
    if (existing !== undefined) {
      existing.want = want;
      existing.artifactUrl = artifactUrl;
      return existing;
    }
    if (this.#records.size >= this.#maxAdapters)
      throw new AppError(
        'COMMAND_QUEUE_FULL',
        `the ModelAdapter controller remembers ${this.#maxAdapters} adapters already`,
      );
    const record: AdapterRecord = {
      key,
      want,
      artifactUrl,
      instances: new Set(),
      attempts: new Map(),
      inFlight: new Set(),
      unloading: new Set(),
      rank: undefined,
      phase: undefined,
      desiredReplicas: 0,
      readyReplicas: 0,
    };
    this.#records.set(key, record);
    return record;
  }

  delete(key: string): void {
    this.#records.delete(key);
  }

  /** Every record (for declaredAdapters and tests). */
  records(): IterableIterator<AdapterRecord> {
    return this.#records.values();
  }
}

/** A record as the placement's observation. */
export const observedOf = (r: AdapterRecord): AdapterObserved => ({
  instances: [...r.instances].sort(),
  attempts: r.attempts,
  inFlight: new Set(r.inFlight),
  unloading: new Set(r.unloading),
});
