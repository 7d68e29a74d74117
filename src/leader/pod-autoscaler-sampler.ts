/**
 * How the PodAutoscaler controller collects samples: one loop ticking every `intervalMs`
 * (default 1 s, the windows' granularity) records one value per source of every PodAutoscaler
 * into that source's window. `engine` sources read the agents' latest reports from the cluster
 * state store (memory only); remote sources start one read each, skipped while the previous is
 * still in flight, so a slow endpoint costs samples, never a pile of requests. A failed read is
 * remembered per source (the reconcile turns it into a condition) and records nothing.
 */
import {
  SampleWindow,
  averageEngineMetric,
  parseLabelSelectorString,
  type LabelPredicate,
  type RemoteMetricReader,
  type ResolvedSource,
} from '../autoscaling/index.js';
import type { ScaleTarget } from '../kube/index.js';
import { sleep, toError, type Clock, type Runnable } from '../shared/index.js';
import type { EndpointState } from './cluster-state.js';

/** What the controller keeps per PodAutoscaler between reconciles. */
export interface AutoscalerState {
  readonly key: string;
  readonly namespace: string;
  target: ScaleTarget;
  sources: readonly ResolvedSource[];
  /** By source name. */
  readonly windows: Map<string, SampleWindow>;
  /** Last failure per source name; cleared by the next good read. */
  readonly failures: Map<string, string>;
  readonly inFlight: Set<string>;
  selector: string | undefined;
  matches: LabelPredicate;
  stableWindowMs: number;
  currentReplicas: number | undefined;
  /**
   * Models the target serves: the model annotation, its pod template's model label and the
   * models of its engines seen.
   */
  readonly models: Set<string>;
  /** The target whose pod template was read (read once per target, again when it changes). */
  templateReadFor: string | undefined;
  lastDemandMs: number | undefined;
  heldRequests: number;
  history: { readonly atMs: number; readonly replicas: number }[];
  lastScaleUpMs: number | undefined;
  lastScaleDownMs: number | undefined;
}

/** A fresh state for a PodAutoscaler. */
export function newAutoscalerState(
  key: string,
  namespace: string,
  target: ScaleTarget,
): AutoscalerState {
  return {
    key,
    namespace,
    target,
    sources: [],
    windows: new Map(),
    failures: new Map(),
    inFlight: new Set(),
    selector: undefined,
    matches: () => false,
    stableWindowMs: 180_000,
    currentReplicas: undefined,
    models: new Set(),
    templateReadFor: undefined,
    lastDemandMs: undefined,
    heldRequests: 0,
    history: [],
    lastScaleUpMs: undefined,
    lastScaleDownMs: undefined,
  };
}

/** Sets the target's selector (from its scale subresource) when it changed. */
export function setSelector(state: AutoscalerState, selector: string | undefined): void {
  if (selector === state.selector) return;
  state.selector = selector;
  // No selector: the target claims no engine (an empty one would claim every engine).
  state.matches = selector === undefined ? () => false : parseLabelSelectorString(selector);
}

/** Options of {@link AutoscalerSampler}. */
export interface AutoscalerSamplerOptions {
  readonly states: () => Iterable<AutoscalerState>;
  readonly endpoints: () => readonly EndpointState[];
  readonly reader: RemoteMetricReader;
  readonly clock: Clock;
  /** Kubernetes: a target's engines are in its namespace (ids `namespace/pod`). */
  readonly namespaced: boolean;
  /** Default 1000. */
  readonly intervalMs?: number;
  /** Most samples a window holds. Default 3600. */
  readonly maxSamples?: number;
  /** Failed reads, by source kind. */
  readonly onFailure?: (kind: ResolvedSource['kind']) => void;
}

/** The engines of a target now. */
export function enginesOf(
  state: AutoscalerState,
  endpoints: readonly EndpointState[],
  namespaced: boolean,
): EndpointState[] {
  return endpoints.filter(
    (e) =>
      (!namespaced || e.endpoint.id.startsWith(`${state.namespace}/`)) &&
      state.matches(e.endpoint.labels ?? {}),
  );
}

/** See the file comment. */
export class AutoscalerSampler implements Runnable {
  readonly name = 'pod-autoscaler-sampler';
  readonly #o: AutoscalerSamplerOptions;

  constructor(options: AutoscalerSamplerOptions) {
    this.#o = options;
  }

  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      this.sampleOnce(signal);
      await sleep(this.#o.intervalMs ?? 1000, signal).catch(() => undefined);
    }
  }

  /** Records one sample per source of every PodAutoscaler (remote reads finish later). */
  sampleOnce(signal: AbortSignal): void {
    const endpoints = this.#o.endpoints();
    for (const state of this.#o.states()) {
      const engines = enginesOf(state, endpoints, this.#o.namespaced);
      for (const e of engines) state.models.add(e.endpoint.model);
      for (const source of state.sources) {
        if (source.kind === 'engine') {
          const value = averageEngineMetric(
            engines.filter((e) => !e.stale).map((e) => ({ metrics: e.report?.metrics })),
            source.metric,
          );
          if (value !== undefined) this.#record(state, source, value);
          // No engine at zero replicas is a fact (no load). Anywhere else (the target's scale not
          // read yet, its pods starting) it is no sample: a recorded 0 would drag the window
          // down and scale a loaded target in.
          else if (engines.length === 0 && state.currentReplicas === 0)
            this.#record(state, source, 0);
          else
            state.failures.set(
              source.name,
              engines.length === 0
                ? 'no engine of the target is reporting yet'
                : 'no engine of the target reports the metric',
            );
          continue;
        }
        if (state.inFlight.has(source.name)) continue;
        state.inFlight.add(source.name);
        const pods = engines.map((e) => ({ id: e.endpoint.id, url: e.endpoint.url }));
        this.#o.reader
          .read(source, { namespace: state.namespace, selector: state.selector, pods, signal })
          .then(
            (value) => this.#record(state, source, value),
            (err: unknown) => {
              if (signal.aborted) return;
              state.failures.set(source.name, toError(err).message);
              this.#o.onFailure?.(source.kind);
            },
          )
          .finally(() => state.inFlight.delete(source.name));
      }
    }
  }

  #record(state: AutoscalerState, source: ResolvedSource, value: number): void {
    let window = state.windows.get(source.name);
    if (window === undefined) {
      window = new SampleWindow(state.stableWindowMs, this.#o.maxSamples ?? 3600);
      state.windows.set(source.name, window);
    }
    window.record(this.#o.clock.now(), value);
    state.failures.delete(source.name);
  }
}
