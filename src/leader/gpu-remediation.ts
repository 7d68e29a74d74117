/**
 * GPU remediation on the leader, a controller on the shared reconcile host (key = node name):
 * when an agent reports a failed GPU, the node is tainted `infernode.io/gpu-unhealthy=true:NoSchedule`,
 * a Warning Event and the `InfernodeGpuHealthy=False` condition are written, and the requests
 * already running on the engines of that GPU get a drain deadline (new requests avoid them at
 * once: the catalog reads the store on every request). When the GPUs are healthy again (after
 * the agent's hold-down), the taint goes and the condition turns True. This file holds only the
 * node's logic: the queue, retries with backoff, resync and metrics are the host's, and the
 * decision is `planNodeRemediation` (pure). State is re-applied after every change and after a
 * leader restart (what was applied is remembered only in memory), so the cluster converges.
 */
import {
  DONE,
  ReconcileHost,
  type EventRecorder,
  type KeySource,
  type ReconcileContext,
  type ReconcileHostSettings,
  type ReconcileResult,
  type Reconciler,
  type Timers,
} from '../controllers/index.js';
import { GPU_HEALTHY_CONDITION, GPU_UNHEALTHY_TAINT, type NodeOps } from '../kube/index.js';
import {
  Counter,
  type Clock,
  type Logger,
  type Registry,
  type Rng,
  type Runnable,
} from '../shared/index.js';
import type { ClusterStateStore } from './cluster-state.js';
import { planNodeRemediation, type NodeRemediation } from './gpu-remediation-plan.js';

/**
 * Where GPU remediation reads GPU health and what it acts through (node ops, Events), with its
 * host settings.
 */
export interface GpuRemediationOptions {
  readonly store: ClusterStateStore;
  readonly nodeOps: NodeOps;
  /** Where the GpuFailed / GpuRecovered Events go. */
  readonly events: EventRecorder;
  readonly log: Logger;
  readonly registry: Registry;
  readonly clock: Clock;
  readonly rng: Rng;
  readonly timers: Timers;
  /** Cuts what is still running on an engine after the drain timeout. */
  readonly drainEndpoint: (id: string, timeoutMs: number) => number;
  /** How long in-flight requests on a failed GPU's engines may run. Default 30000 ms. */
  readonly drainTimeoutMs: number;
  /** Queue bound, resync, timeout and backoff of the host. Defaults: the host's. */
  readonly settings?: Partial<ReconcileHostSettings>;
}

/** The reconcile of one node: observe the store, plan, act through NodeOps, emit Events. */
export class GpuRemediationReconciler implements Reconciler {
  readonly #options: GpuRemediationOptions;
  /** What was last applied per node (tainted or not); bounded by the store's nodes. */
  readonly #applied = new Map<string, boolean>();
  readonly #actions: Counter<'action'>;

  constructor(options: GpuRemediationOptions) {
    this.#options = options;
    this.#actions = new Counter({
      name: 'infernode_leader_gpu_remediations_total',
      help: 'GPU remediation actions on nodes (taint, untaint, drain, error)',
      labelNames: ['action'],
      registers: [options.registry],
    });
  }

  async reconcile(node: string, context: ReconcileContext): Promise<ReconcileResult> {
    const state = this.#options.store.node(node);
    if (state === undefined) {
      this.#applied.delete(node);
      return DONE;
    }
    const plan = planNodeRemediation(node, state.gpus);
    if (this.#applied.get(node) === plan.tainted) return DONE;
    try {
      if (plan.tainted) await this.#remediate(plan, context);
      else await this.#restore(plan, context);
    } catch (err) {
      this.#actions.inc({ action: 'error' });
      throw err;
    }
    this.#applied.set(node, plan.tainted);
    return DONE;
  }

  async #remediate(plan: NodeRemediation, { signal, log }: ReconcileContext): Promise<void> {
    const { node, message } = plan;
    // Drain first: routing already avoids these engines; bound what is still running.
    for (const e of this.#options.store.endpoints()) {
      if (e.endpoint.node === node && e.gpuFailed) {
        const n = this.#options.drainEndpoint(e.endpoint.id, this.#options.drainTimeoutMs);
        if (n > 0) this.#actions.inc({ action: 'drain' });
      }
    }
    const opts = { signal };
    await this.#options.nodeOps.taintNode(node, GPU_UNHEALTHY_TAINT, opts);
    await this.#options.nodeOps.setNodeCondition(
      node,
      { type: GPU_HEALTHY_CONDITION, status: 'False', reason: 'GpuFailed', message },
      opts,
    );
    await this.#options.events.record(
      {
        involvedObject: { kind: 'Node', name: node },
        reason: 'GpuFailed',
        message,
        type: 'Warning',
      },
      opts,
    );
    this.#actions.inc({ action: 'taint' });
    log.warn(
      { node, failed: plan.failed.map((g) => g.index) },
      `GPU failed: node tainted, its engines out of routing (${message})`,
    );
  }

  async #restore(plan: NodeRemediation, { signal, log }: ReconcileContext): Promise<void> {
    const { node, message } = plan;
    const opts = { signal };
    const changed = await this.#options.nodeOps.untaintNode(node, GPU_UNHEALTHY_TAINT, opts);
    await this.#options.nodeOps.setNodeCondition(
      node,
      { type: GPU_HEALTHY_CONDITION, status: 'True', reason: 'GpuHealthy', message },
      opts,
    );
    if (!changed) return;
    await this.#options.events.record(
      {
        involvedObject: { kind: 'Node', name: node },
        reason: 'GpuRecovered',
        message,
        type: 'Normal',
      },
      opts,
    );
    this.#actions.inc({ action: 'untaint' });
    log.info({ node }, 'GPUs healthy again: taint removed, engines back in routing');
  }
}

/** The nodes of the cluster state store as keys: every change names its node. */
export function clusterNodeKeys(store: ClusterStateStore): KeySource {
  return {
    watch: (onKey) => store.onChange((_reason, node) => onKey(node)),
    list: () => store.nodes().map((n) => n.node),
  };
}

/** GPU remediation as a leader-only part: its reconciler on its own reconcile host. */
export class GpuRemediation implements Runnable {
  readonly name = 'gpu-remediation';
  readonly #host: ReconcileHost;

  constructor(options: GpuRemediationOptions) {
    this.#host = new ReconcileHost({
      name: this.name,
      reconciler: new GpuRemediationReconciler(options),
      sources: [clusterNodeKeys(options.store)],
      log: options.log,
      registry: options.registry,
      clock: options.clock,
      rng: options.rng,
      timers: options.timers,
      ...(options.settings === undefined ? {} : { settings: options.settings }),
    });
  }

  run(signal: AbortSignal): Promise<void> {
    return this.#host.run(signal);
  }
}
