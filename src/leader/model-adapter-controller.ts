/**
 * The ModelAdapter controller as a leader-only part (issue #13): its reconciler on the shared
 * reconcile host (name `model-adapter`, keys `<namespace>/<name>`). Keys come from three
 * sources: the ModelAdapter resources discovery holds (a change or a removal names its key),
 * engine changes in the cluster state store (an agent's report that an engine lost an adapter,
 * restarted or went down: every adapter is looked at again at once — the "reloaded at once"
 * rule), and discovery's engine list (a pod gone or added).
 */
import {
  ReconcileHost,
  viewKeys,
  type EventRecorder,
  type KeySource,
  type ReconcileHostSettings,
  type StatusStore,
  type Timers,
  type ViewSource,
} from '../controllers/index.js';
import type { ClusterView } from '../discovery/index.js';
import type { ResourceFinalizers, SecretReader } from '../kube/index.js';
import type { ModelAdapterStatus } from '../lora/index.js';
import type { Clock, Logger, Registry, Rng, Runnable } from '../shared/index.js';
import { AdapterMemory } from './adapter-memory.js';
import { registerAdapterMemoryMetrics } from './adapter-memory-metrics.js';
import type { AdapterPlanner } from './adapter-planner.js';
import type { ClusterStateStore } from './cluster-state.js';
import type { CommandClient } from './command-client.js';
import { ModelAdapterReconciler, adapterKey } from './model-adapter-reconciler.js';

/** What the controller needs from the leader. */
export interface ModelAdapterControllerOptions {
  /** Discovery (static file or informers): the resources and the engines. */
  readonly source: ViewSource<ClusterView>;
  readonly store: ClusterStateStore;
  readonly commands: Pick<CommandClient, 'send'>;
  readonly statuses: StatusStore<ModelAdapterStatus>;
  readonly events: EventRecorder;
  readonly planner: AdapterPlanner;
  /** Kubernetes only. */
  readonly finalizers?: ResourceFinalizers;
  /** Kubernetes only. */
  readonly secrets?: SecretReader;
  readonly log: Logger;
  readonly registry: Registry;
  readonly clock: Clock;
  readonly rng: Rng;
  readonly timers: Timers;
  readonly loadTimeoutMs?: number;
  readonly unloadTimeoutMs?: number;
  /** Most adapters remembered. Default 10000. */
  readonly maxAdapters?: number;
  readonly settings?: Partial<ReconcileHostSettings>;
}

const adapterEntries = (view: ClusterView): [string, string][] =>
  view.resources
    .filter((r) => r.kind === 'ModelAdapter')
    .map((r) => [
      adapterKey(r),
      r.metadata.resourceVersion ?? JSON.stringify([r.metadata, r.spec]),
    ]);

/** Every adapter key whenever `onChange` fires (and whatever `also` lists, e.g. remembered keys). */
function allAdapterKeys(
  source: ViewSource<ClusterView>,
  subscribe: (fire: () => void) => () => void,
  also: () => Iterable<string>,
): KeySource {
  const list = (): string[] => [
    ...new Set([...adapterEntries(source.current()).map(([k]) => k), ...also()]),
  ];
  return {
    watch: (onKey) =>
      subscribe(() => {
        for (const key of list()) onKey(key);
      }),
    list,
  };
}

/** Fingerprint of the engines discovery lists (ids, readiness, labels). */
const enginesPrint = (view: ClusterView): string =>
  JSON.stringify(view.endpoints.map((e) => [e.id, e.ready, e.labels, e.maxLoraRank]));

export class ModelAdapterController implements Runnable {
  readonly name = 'model-adapter';
  readonly #host: ReconcileHost;
  readonly #memory: AdapterMemory;
  readonly #source: ViewSource<ClusterView>;
  #signal: AbortSignal | undefined;

  constructor(options: ModelAdapterControllerOptions) {
    const { source, store } = options;
    this.#source = source;
    this.#memory = new AdapterMemory(options.maxAdapters);
    registerAdapterMemoryMetrics(options.registry, this.#memory, options.clock);
    const remembered = (): string[] => [...this.#memory.records()].map((r) => r.key);
    const reconciler = new ModelAdapterReconciler({
      ...options,
      memory: this.#memory,
      enqueue: (key) => this.#host.enqueue(key),
      signal: () => this.#signal,
    });
    const engineChanges = allAdapterKeys(
      source,
      (fire) => store.onChange(() => fire()),
      remembered,
    );
    let lastEngines = enginesPrint(source.current());
    const discoveryEngines = allAdapterKeys(
      source,
      (fire) =>
        source.onChange((view) => {
          const next = enginesPrint(view);
          if (next !== lastEngines) fire();
          lastEngines = next;
        }),
      remembered,
    );
    this.#host = new ReconcileHost({
      name: this.name,
      reconciler,
      sources: [viewKeys(source, adapterEntries), engineChanges, discoveryEngines],
      log: options.log,
      registry: options.registry,
      clock: options.clock,
      rng: options.rng,
      timers: options.timers,
      ...(options.settings === undefined ? {} : { settings: options.settings }),
    });
  }

  /**
   * Names of the adapters whose resources exist and are not Failed: the gateway may hold a
   * request for one of them while it loads (instead of answering 404 at once).
   */
  declaredAdapters(): ReadonlySet<string> {
    const names = new Set<string>();
    for (const r of this.#source.current().resources) {
      if (r.kind !== 'ModelAdapter' || r.metadata.deletionTimestamp !== undefined) continue;
      if (this.#memory.get(adapterKey(r))?.phase === 'Failed') continue;
      names.add(r.metadata.name);
    }
    return names;
  }

  /** Adapters remembered now (for leak checks). */
  get remembered(): number {
    return this.#memory.size;
  }

  async run(signal: AbortSignal): Promise<void> {
    this.#signal = signal;
    try {
      await this.#host.run(signal);
    } finally {
      this.#signal = undefined;
    }
  }
}
