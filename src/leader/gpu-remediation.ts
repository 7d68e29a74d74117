/**
 * GPU remediation on the leader, a level-based reconcile per node: when an agent reports a
 * failed GPU, the node is tainted `infernode.io/gpu-unhealthy=true:NoSchedule`, a Warning Event
 * and the `InfernodeGpuHealthy=False` condition are written, and the requests already running on
 * the engines of that GPU get a drain deadline (new requests avoid them at once: the catalog
 * reads the store on every request). When the GPUs are healthy again (after the agent's
 * hold-down), the taint goes and the condition turns True. Failed API calls are retried with
 * backoff; the state is re-applied on every change, so a restarted leader converges too.
 */
import { GPU_HEALTHY_CONDITION, GPU_UNHEALTHY_TAINT, type NodeOps } from '../kube/index.js';
import {
  Counter,
  DEFAULT_BACKOFF,
  backoffDelayMs,
  sleep,
  toError,
  type Logger,
  type Registry,
  type Rng,
} from '../shared/index.js';
import type { ClusterStateStore } from './cluster-state.js';
import { planNodeRemediation } from './gpu-remediation-plan.js';

export interface GpuRemediationOptions {
  readonly store: ClusterStateStore;
  readonly nodeOps: NodeOps;
  readonly log: Logger;
  readonly registry: Registry;
  readonly rng: Rng;
  /** Cuts what is still running on an engine after the drain timeout. */
  readonly drainEndpoint: (id: string, timeoutMs: number) => number;
  /** How long in-flight requests on a failed GPU's engines may run. Default 30000 ms. */
  readonly drainTimeoutMs: number;
}

export class GpuRemediation {
  readonly name = 'gpu-remediation';
  readonly #o: GpuRemediationOptions;
  readonly #queue = new Set<string>();
  /** What was last applied per node: tainted or not (unknown after start → applied again). */
  readonly #applied = new Map<string, boolean>();
  readonly #actions: Counter<'action'>;
  #wake: (() => void) | undefined;

  constructor(options: GpuRemediationOptions) {
    this.#o = options;
    this.#actions = new Counter({
      name: 'infernode_leader_gpu_remediations_total',
      help: 'GPU remediation actions on nodes (taint, untaint, drain, error)',
      labelNames: ['action'],
      registers: [options.registry],
    });
  }

  async run(signal: AbortSignal): Promise<void> {
    const unsubscribe = this.#o.store.onChange((_reason, node) => this.#enqueue(node));
    for (const n of this.#o.store.nodes()) this.#enqueue(n.node);
    let failures = 0;
    try {
      while (!signal.aborted) {
        const node = this.#queue.values().next().value;
        if (node === undefined) {
          await new Promise<void>((resolve) => {
            this.#wake = resolve;
            signal.addEventListener('abort', () => resolve(), { once: true });
          });
          continue;
        }
        this.#queue.delete(node);
        try {
          await this.#reconcile(node, signal);
          failures = 0;
        } catch (err) {
          this.#actions.inc({ action: 'error' });
          this.#o.log.warn({ node, err: toError(err) }, 'GPU remediation failed; retrying');
          this.#queue.add(node);
          await sleep(backoffDelayMs(DEFAULT_BACKOFF, failures++, this.#o.rng), signal);
        }
      }
    } finally {
      unsubscribe();
    }
  }

  #enqueue(node: string): void {
    this.#queue.add(node);
    this.#wake?.();
  }

  async #reconcile(node: string, signal: AbortSignal): Promise<void> {
    const state = this.#o.store.nodes().find((n) => n.node === node);
    if (state === undefined) return;
    const plan = planNodeRemediation(node, state.gpus);
    if (this.#applied.get(node) === plan.tainted) return;
    const { nodeOps, log } = this.#o;
    const opts = { signal };
    if (plan.tainted) {
      // Drain first: routing already avoids these engines; bound what is still running.
      for (const e of this.#o.store.endpoints()) {
        if (e.endpoint.node === node && e.gpuFailed) {
          const n = this.#o.drainEndpoint(e.endpoint.id, this.#o.drainTimeoutMs);
          if (n > 0) this.#actions.inc({ action: 'drain' });
        }
      }
      await nodeOps.taintNode(node, GPU_UNHEALTHY_TAINT, opts);
      await nodeOps.setNodeCondition(
        node,
        {
          type: GPU_HEALTHY_CONDITION,
          status: 'False',
          reason: 'GpuFailed',
          message: plan.message,
        },
        opts,
      );
      await nodeOps.recordEvent(
        {
          involvedObject: { kind: 'Node', name: node },
          reason: 'GpuFailed',
          message: plan.message,
          type: 'Warning',
        },
        opts,
      );
      this.#actions.inc({ action: 'taint' });
      log.warn(
        { node, failed: plan.failed.map((g) => g.index) },
        `GPU failed: node tainted, its engines out of routing (${plan.message})`,
      );
    } else {
      const changed = await nodeOps.untaintNode(node, GPU_UNHEALTHY_TAINT, opts);
      await nodeOps.setNodeCondition(
        node,
        {
          type: GPU_HEALTHY_CONDITION,
          status: 'True',
          reason: 'GpuHealthy',
          message: plan.message,
        },
        opts,
      );
      if (changed) {
        await nodeOps.recordEvent(
          {
            involvedObject: { kind: 'Node', name: node },
            reason: 'GpuRecovered',
            message: plan.message,
            type: 'Normal',
          },
          opts,
        );
        this.#actions.inc({ action: 'untaint' });
        log.info({ node }, 'GPUs healthy again: taint removed, engines back in routing');
      }
    }
    this.#applied.set(node, plan.tainted);
  }
}
