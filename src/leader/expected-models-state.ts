/**
 * The gateway's ExpectedModels port over the cluster state store: which models are expected
 * comes from declarations (scale groups and PodAutoscaler targets, declared ModelAdapters, given
 * as sources), readiness from what the agents report, and demand goes to a callback (the
 * autoscaler's scale from zero). Waiters are woken by the store's change events.
 */
import type { ExpectedModels } from '../gateway/index.js';
import type { ClusterStateStore, EndpointState } from './cluster-state.js';

/** One model some declaration says will be served. */
export interface ExpectedModel {
  readonly model: string;
  /** Its own hold time, ms (adapters load in seconds, engines start in minutes). */
  readonly holdTimeoutMs?: number;
}

/** What the expected models are composed from. */
export interface ExpectedModelsStateOptions {
  readonly store: ClusterStateStore;
  /** Each returns the models one declaration kind expects now (called per request: keep it cheap). */
  readonly sources: readonly (() => Iterable<ExpectedModel>)[];
  /** A held request wants `model` served. */
  readonly onDemand: (model: string) => void;
}

/** Ready to take requests: the agent reported it ready, fresh, and nothing takes it out. */
function serving(s: EndpointState): boolean {
  return s.endpoint.ready && !s.stale && !s.agentSaysDown && !s.gpuFailed && !s.draining;
}

interface Pending {
  readonly model: string;
  readonly resolve: () => void;
}

/** The leader's ExpectedModels (see the file comment). */
export class ExpectedModelsState implements ExpectedModels {
  readonly #options: ExpectedModelsStateOptions;
  readonly #pending = new Set<Pending>();

  constructor(options: ExpectedModelsStateOptions) {
    this.#options = options;
    options.store.onChange(() => this.#wake());
  }

  isExpected(model: string): boolean {
    return this.#find(model) !== undefined;
  }

  isReady(model: string): boolean {
    return this.#options.store.endpoints().some(
      (s) =>
        serving(s) &&
        // A base model, or an adapter loaded on an engine of its base model.
        (s.endpoint.model === model || (s.report?.adapters ?? []).includes(model)),
    );
  }

  demand(model: string): void {
    this.#options.onDemand(model);
  }

  holdTimeoutMs(model: string): number | undefined {
    return this.#find(model)?.holdTimeoutMs;
  }

  whenReady(model: string, signal: AbortSignal): Promise<void> {
    if (this.isReady(model)) return Promise.resolve();
    if (signal.aborted) return Promise.reject(signal.reason as Error);
    return new Promise<void>((resolve, reject) => {
      const pending: Pending = {
        model,
        resolve: () => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      const onAbort = (): void => {
        this.#pending.delete(pending);
        reject(signal.reason as Error);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.#pending.add(pending);
    });
  }

  #find(model: string): ExpectedModel | undefined {
    for (const source of this.#options.sources)
      for (const expected of source()) if (expected.model === model) return expected;
    return undefined;
  }

  #wake(): void {
    for (const pending of this.#pending) {
      if (!this.isReady(pending.model)) continue;
      this.#pending.delete(pending);
      pending.resolve();
    }
  }
}
