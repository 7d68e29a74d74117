/**
 * The PodAutoscaler controller as a leader-only part (issue #15): its reconciler on a reconcile
 * host ('pod-autoscaler', keys `<namespace>/<name>` of the PodAutoscalers discovery holds,
 * resynced every `autoscaling.resyncIntervalMs`, 10 s as AIBrix) and the sampler that fills its
 * metric windows every `autoscaling.sampleIntervalMs`. The gateway's hold reaches it through
 * `demand`: a held request for a model a PodAutoscaler's target serves reconciles that
 * PodAutoscaler at once with the held count as `heldRequests`, so the controller (not the
 * hold's ScaleFromZero) takes that target off zero — one actor per target, no double scaling.
 */
import {
  decideScale,
  parseTunables,
  type PodAutoscalerStatus,
  type PodMetricsPort,
  type RemoteMetricReader,
} from '../autoscaling/index.js';
import { HttpMetricReader } from '../autoscaling/adapters/index.js';
import {
  ConflictRetryingStatusWriter,
  CorrelatingEventRecorder,
  ReconcileHost,
  viewKeys,
  type EventRecorder,
  type ReconcileHostSettings,
  type StatusStore,
  type Timers,
  type ViewSource,
} from '../controllers/index.js';
import type { ClusterView } from '../discovery/index.js';
import type { ScaleClient } from '../kube/index.js';
import {
  Counter,
  type Clock,
  type Logger,
  type Registry,
  type Rng,
  type Runnable,
} from '../shared/index.js';
import type { ClusterStateStore } from './cluster-state.js';
import type { CommandClient } from './command-client.js';
import type { ExpectedModel } from './expected-models-state.js';
import type { LeaderAdapters, LeaderConfig } from './leader-adapters.js';
import { reconcileHostSettings } from './controller-settings.js';
import { PodAutoscalerController } from './pod-autoscaler-controller.js';
import { AutoscalerSampler } from './pod-autoscaler-sampler.js';

/** What the PodAutoscaler parts need from the leader. */
export interface PodAutoscalingOptions {
  /** The leader's `autoscaling.*` config. */
  readonly config: LeaderConfig['autoscaling'];
  /** Discovery: the PodAutoscaler resources. */
  readonly source: ViewSource<ClusterView>;
  readonly store: ClusterStateStore;
  readonly commands: Pick<CommandClient, 'send'>;
  readonly scale: ScaleClient;
  /** The PodAutoscaler status subresource (or memory, static). */
  readonly statuses: StatusStore<PodAutoscalerStatus>;
  readonly events: EventRecorder;
  /** Kubernetes: engines are `namespace/pod` and targets claim only their namespace's. */
  readonly namespaced: boolean;
  /** Where PodAutoscalers without a namespace live. */
  readonly defaultNamespace: string;
  readonly log: Logger;
  readonly registry: Registry;
  readonly clock: Clock;
  readonly rng: Rng;
  readonly timers: Timers;
  /** The leader's `controllers.*` settings; the resync period is the autoscaler's own. */
  readonly settings?: Partial<ReconcileHostSettings>;
  /** Remote metric reads; default an HttpMetricReader on the config (tests may pass one). */
  readonly reader?: RemoteMetricReader;
  /** metrics.k8s.io for the default reader's `resource` sources (Kubernetes only). */
  readonly podMetrics?: PodMetricsPort;
}

/** See the file comment. */
export class PodAutoscaling implements Runnable {
  readonly name = 'pod-autoscaling';
  /** The controller (its states, demand and models at zero). */
  readonly controller: PodAutoscalerController;
  readonly #host: ReconcileHost;
  readonly #sampler: AutoscalerSampler;

  constructor(o: PodAutoscalingOptions) {
    const keyOf = (namespace: string | undefined, name: string): string =>
      `${namespace ?? o.defaultNamespace}/${name}`;
    this.controller = new PodAutoscalerController({
      resources: () => o.source.current().resources,
      scale: o.scale,
      status: new ConflictRetryingStatusWriter(o.statuses),
      events: o.events,
      clock: o.clock,
      decide: decideScale,
      // Bad tunables fall back to defaults (parseTunables never throws).
      tunablesOf: parseTunables,
      prometheusConfigured: o.config.prometheusUrl !== '',
      defaultNamespace: o.defaultNamespace,
      prefetch: {
        commands: o.commands,
        store: o.store,
        namespaced: o.namespaced,
        counter: new Counter({
          name: 'infernode_autoscaling_prefetch_total',
          help: 'Weight pulls commanded before a PodAutoscaler scale-up, by result',
          labelNames: ['result'],
          registers: [o.registry],
        }),
      },
    });
    this.#host = new ReconcileHost({
      name: 'pod-autoscaler',
      reconciler: this.controller,
      sources: [
        viewKeys(o.source, (view) =>
          view.resources
            .filter((r) => r.kind === 'PodAutoscaler')
            .map((r) => [
              keyOf(r.metadata.namespace, r.metadata.name),
              r.metadata.resourceVersion ?? JSON.stringify([r.metadata, r.spec]),
            ]),
        ),
      ],
      log: o.log,
      registry: o.registry,
      clock: o.clock,
      rng: o.rng,
      timers: o.timers,
      settings: { ...o.settings, resyncIntervalMs: o.config.resyncIntervalMs },
    });
    const failures = new Counter({
      name: 'infernode_autoscaling_metric_read_failures_total',
      help: 'Failed reads of PodAutoscaler remote metric sources, by source kind',
      labelNames: ['kind'],
      registers: [o.registry],
    });
    this.#sampler = new AutoscalerSampler({
      states: () => this.controller.states(),
      endpoints: () => o.store.endpoints(),
      reader:
        o.reader ??
        new HttpMetricReader({
          prometheusUrl: o.config.prometheusUrl === '' ? undefined : o.config.prometheusUrl,
          timeoutMs: o.config.metricTimeoutMs,
          ...(o.podMetrics !== undefined ? { podMetrics: o.podMetrics } : {}),
        }),
      clock: o.clock,
      namespaced: o.namespaced,
      intervalMs: o.config.sampleIntervalMs,
      onFailure: (kind) => failures.inc({ kind }),
    });
  }

  /**
   * The gateway holds `held` requests for `model`: reconciles now every PodAutoscaler whose target
   * serves it. False when none does (then the hold's own scale from zero may act).
   */
  demand(model: string, held: number): boolean {
    const keys = this.controller.demand(model, held);
    for (const key of keys) this.#host.enqueue(key);
    return keys.length > 0;
  }

  /** Models PodAutoscalers' targets serve: the gateway holds requests for them. */
  expectedModels(): ExpectedModel[] {
    const models = new Set<string>();
    for (const state of this.controller.states()) for (const m of state.models) models.add(m);
    return [...models].map((model) => ({ model }));
  }

  async run(signal: AbortSignal): Promise<void> {
    await Promise.all([this.#host.run(signal), this.#sampler.run(signal)]);
  }
}

/** What {@link buildPodAutoscaling} takes from the composition root. */
export interface PodAutoscalingRoots {
  readonly config: LeaderConfig;
  readonly adapters: Pick<
    LeaderAdapters,
    'source' | 'resourceStatus' | 'nodeOps' | 'scale' | 'podMetrics'
  >;
  /** Static mode's scale client (the cluster file's scale groups). */
  readonly staticScale: ScaleClient | undefined;
  readonly store: ClusterStateStore;
  readonly commands: Pick<CommandClient, 'send'>;
  readonly log: Logger;
  readonly registry: Registry;
  readonly clock: Clock;
  readonly rng: Rng;
  readonly timers: Timers;
}

/** The leader's PodAutoscaler parts; undefined when the mode has nothing to scale. */
export function buildPodAutoscaling(roots: PodAutoscalingRoots): PodAutoscaling | undefined {
  const { config, adapters, clock } = roots;
  const scale = adapters.scale ?? roots.staticScale;
  if (scale === undefined) return undefined;
  const log = roots.log.child({ component: 'pod-autoscaler' });
  const kubernetes = config.discovery === 'kubernetes';
  return new PodAutoscaling({
    config: config.autoscaling,
    source: adapters.source,
    store: roots.store,
    commands: roots.commands,
    scale,
    statuses: adapters.resourceStatus<PodAutoscalerStatus>('podautoscalers', 'PodAutoscaler'),
    events: new CorrelatingEventRecorder({
      sink: (event, options) => adapters.nodeOps.recordEvent(event, options),
      clock,
      log,
    }),
    namespaced: kubernetes,
    // The static statuses key resources without a namespace as `default/<name>`.
    defaultNamespace: kubernetes ? config.kube.namespace : 'default',
    log,
    registry: roots.registry,
    clock,
    rng: roots.rng,
    timers: roots.timers,
    settings: reconcileHostSettings(config.controllers),
    ...(adapters.podMetrics !== undefined ? { podMetrics: adapters.podMetrics } : {}),
  });
}
