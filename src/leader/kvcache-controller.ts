/**
 * The KVCache controller as a leader-only part (issue #14, "The resource"): a level-triggered
 * reconcile per KVCache (`<namespace>/<name>`) on the shared reconcile host. Each reconcile plans
 * the resource's nodes from the cluster state (planForResource), sends `kv.configure` in the
 * background to the nodes whose accepted settings differ (pendingConfigures), and writes the
 * status from the agents' store reports (kvCacheStatus). A result enqueues the key again; a
 * failed configure is retried per node with backoff. An agent that says hello again (it may have
 * restarted with its default store) or is lost has its accepted settings forgotten, so it is
 * configured anew. Keys come from discovery's resources and from every cluster-state change.
 */
import {
  ConflictRetryingStatusWriter,
  DONE,
  ReconcileHost,
  viewKeys,
  type KeySource,
  type ReconcileContext,
  type ReconcileHostSettings,
  type ReconcileResult,
  type Reconciler,
  type StatusStore,
  type Timers,
  type ViewSource,
} from '../controllers/index.js';
import type { ClusterView } from '../discovery/index.js';
import {
  KV_CONFIGURE,
  kvCacheStatus,
  pendingConfigures,
  type KVCacheStatus,
  type KvConfigureArgs,
  type KvStoreReportOf,
} from '../kvcache/index.js';
import {
  DEFAULT_BACKOFF,
  backoffDelayMs,
  type BackoffPolicy,
  type Clock,
  type Logger,
  type Registry,
  type Rng,
  type Runnable,
} from '../shared/index.js';
import type { ClusterStateStore } from './cluster-state.js';
import type { CommandClient } from './command-client.js';
import {
  kvCacheKey,
  kvCachesOf,
  kvPlanNodes,
  nextKvCacheStatus,
  planForResource,
  type KvConfigureFailure,
} from './kvcache-selection.js';

/** What the controller needs from the leader. */
export interface KvCacheControllerOptions {
  /** Discovery (static file or informers): the KVCache resources. */
  readonly source: ViewSource<ClusterView>;
  readonly store: ClusterStateStore;
  readonly commands: Pick<CommandClient, 'send'>;
  readonly statuses: StatusStore<KVCacheStatus>;
  /** The latest store report of a node (the KV index's `storeOf`). */
  readonly reportOf: KvStoreReportOf;
  readonly log: Logger;
  readonly registry: Registry;
  readonly clock: Clock;
  readonly rng: Rng;
  readonly timers: Timers;
  /** Agent-side timeout of a `kv.configure`. Default 60000 ms. */
  readonly configureTimeoutMs?: number;
  /** Retry delays of a node's failed configure. Default 1 s doubling to 30 s, jittered. */
  readonly retryBackoff?: BackoffPolicy;
  /** The status (store usage) is refreshed this often while a resource has nodes. Default 15000 ms. */
  readonly statusIntervalMs?: number;
  readonly settings?: Partial<ReconcileHostSettings>;
}

interface FailedConfigure extends KvConfigureFailure {
  readonly args: KvConfigureArgs;
  readonly attempts: number;
  readonly retryAtMs: number;
}

const entries = (view: ClusterView): [string, string][] =>
  kvCachesOf(view.resources).map((r) => [
    kvCacheKey(r),
    r.metadata.resourceVersion ?? JSON.stringify([r.metadata, r.spec]),
  ]);

/** Per-node memory of what the agents accepted, what is on the way and what failed. */
class KvCacheReconciler implements Reconciler {
  /** Bounded by the nodes the cluster state keeps: entries of forgotten nodes are pruned. */
  readonly accepted = new Map<string, KvConfigureArgs>();
  readonly inFlight = new Map<string, KvConfigureArgs>();
  readonly failed = new Map<string, FailedConfigure>();
  readonly #o: KvCacheControllerOptions;
  readonly #writer: ConflictRetryingStatusWriter<KVCacheStatus>;
  readonly #enqueue: (key: string) => void;
  readonly #signal: () => AbortSignal | undefined;

  constructor(
    options: KvCacheControllerOptions,
    enqueue: (key: string) => void,
    signal: () => AbortSignal | undefined,
  ) {
    this.#o = options;
    this.#writer = new ConflictRetryingStatusWriter(options.statuses);
    this.#enqueue = enqueue;
    this.#signal = signal;
  }

  /** An agent said hello again or was lost: configure it anew. */
  forget(node: string): void {
    this.accepted.delete(node);
    this.failed.delete(node);
  }

  async reconcile(key: string, context: ReconcileContext): Promise<ReconcileResult> {
    const { store, clock } = this.#o;
    const known = store.nodes();
    for (const map of [this.accepted, this.failed])
      for (const node of map.keys()) if (!known.some((n) => n.node === node)) map.delete(node);
    const all = kvCachesOf(store.resources());
    const resource = all.find((r) => kvCacheKey(r) === key);
    if (resource === undefined) return DONE;
    const nodes = kvPlanNodes(
      known.filter((n) => n.connected).map((n) => n.node),
      store.endpoints().map((s) => s.endpoint),
    );
    const plan = planForResource(resource, all, nodes);
    const nowMs = clock.now();
    let retryInMs: number | undefined;
    for (const pending of pendingConfigures(plan, (node) => this.accepted.get(node))) {
      if (this.inFlight.has(pending.node)) continue;
      const failure = this.failed.get(pending.node);
      if (failure !== undefined && sameJson(failure.args, pending.args)) {
        const wait = failure.retryAtMs - nowMs;
        if (wait > 0) {
          retryInMs = Math.min(retryInMs ?? wait, wait);
          continue;
        }
      }
      this.#dispatch(key, pending.node, pending.args, context.log);
    }
    const failures = plan.nodes.flatMap((n) => {
      const f = this.failed.get(n.node);
      return f === undefined ? [] : [{ node: f.node, code: f.code, message: f.message }];
    });
    const computed = kvCacheStatus(plan, this.#o.reportOf, new Date(nowMs));
    const generation = resource.metadata.generation;
    await this.#writer.update(
      key,
      (previous) => nextKvCacheStatus(previous, computed, failures, generation),
      { signal: context.signal },
    );
    if (plan.nodes.length === 0) return DONE;
    const refreshMs = this.#o.statusIntervalMs ?? 15_000;
    return { requeueAfterMs: Math.max(1, Math.min(retryInMs ?? refreshMs, refreshMs)) };
  }

  /** Sends one configure in the background; its result is remembered and enqueues the key. */
  #dispatch(key: string, node: string, args: KvConfigureArgs, log: Logger): void {
    this.inFlight.set(node, args);
    const signal = this.#signal();
    void this.#o.commands
      .send({
        node,
        kind: KV_CONFIGURE,
        args: { ...args, engines: [...args.engines] },
        timeoutMs: this.#o.configureTimeoutMs ?? 60_000,
        ...(signal === undefined ? {} : { signal }),
      })
      .then((result) => {
        this.inFlight.delete(node);
        if (result.ok) {
          this.accepted.set(node, args);
          this.failed.delete(node);
        } else {
          const before = this.failed.get(node);
          const attempts =
            before !== undefined && sameJson(before.args, args) ? before.attempts + 1 : 1;
          const delay = backoffDelayMs(
            this.#o.retryBackoff ?? DEFAULT_BACKOFF,
            attempts - 1,
            this.#o.rng,
          );
          this.failed.set(node, {
            node,
            args,
            attempts,
            code: result.code,
            message: result.message,
            retryAtMs: this.#o.clock.now() + delay,
          });
          log.warn({ node, code: result.code, attempts }, `kv.configure failed: ${result.message}`);
        }
        this.#enqueue(key);
      });
  }
}

const sameJson = (a: unknown, b: unknown): boolean => JSON.stringify(a) === JSON.stringify(b);

/** Every KVCache key whenever the cluster state changes (nodes, engines, agents). */
function clusterChanges(
  source: ViewSource<ClusterView>,
  store: ClusterStateStore,
  onNode: (reason: string, node: string) => void,
): KeySource {
  const list = (): string[] => entries(source.current()).map(([k]) => k);
  return {
    watch: (onKey) =>
      store.onChange((reason, node) => {
        onNode(reason, node);
        for (const key of list()) onKey(key);
      }),
    list,
  };
}

/** The controller; run it among the leader-only parts. */
export class KvCacheController implements Runnable {
  readonly name = 'kvcache';
  readonly #host: ReconcileHost;
  readonly #reconciler: KvCacheReconciler;
  #signal: AbortSignal | undefined;

  constructor(options: KvCacheControllerOptions) {
    this.#reconciler = new KvCacheReconciler(
      options,
      (key) => this.#host.enqueue(key),
      () => this.#signal,
    );
    const changes = clusterChanges(options.source, options.store, (reason, node) => {
      if (reason === 'snapshot' || reason === 'agent-lost') this.#reconciler.forget(node);
    });
    this.#host = new ReconcileHost({
      name: this.name,
      reconciler: this.#reconciler,
      sources: [viewKeys(options.source, entries), changes],
      log: options.log,
      registry: options.registry,
      clock: options.clock,
      rng: options.rng,
      timers: options.timers,
      ...(options.settings === undefined ? {} : { settings: options.settings }),
    });
  }

  /** The settings node `node` last accepted (for tests and the control view). */
  acceptedOn(node: string): KvConfigureArgs | undefined {
    return this.#reconciler.accepted.get(node);
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
