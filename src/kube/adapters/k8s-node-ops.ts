/**
 * NodeOps on Kubernetes: taints through a merge patch of `spec.taints`, the condition through
 * the `nodes/status` subresource, Events as core/v1 Events. Read-modify-write edits carry the
 * resourceVersion read, so a concurrent writer (kubelet, another controller) makes the patch
 * fail with 409 and the edit is redone on the fresh node (up to 5 attempts).
 */
import { randomBytes } from 'node:crypto';
import {
  CoreV1Event,
  V1EventSource,
  V1ObjectMeta,
  V1ObjectReference,
  type V1Node,
  type V1Taint,
} from '@kubernetes/client-node';
import { hasCode, type Clock } from '../../shared/index.js';
import type { KubeClients } from './clients.js';
import {
  withCondition,
  withTaint,
  withoutTaint,
  type NodeCondition,
  type NodeConditionUpdate,
  type NodeEvent,
  type NodeOps,
  type NodeOpsCallOptions,
  type NodeTaint,
} from '../node-ops.js';
import { MERGE_PATCH, kubeCall } from './request.js';

export interface K8sNodeOpsOptions {
  readonly clients: KubeClients;
  /** Bound of each request in ms (`kube.requestTimeoutMs`). */
  readonly requestTimeoutMs: number;
  /** Namespace for Events about cluster-scoped objects such as nodes. Default `default` (as kubelet). */
  readonly eventsNamespace?: string;
  /** Reported as the Event source, e.g. `infernode-agent`. */
  readonly component: string;
  /** Reporting instance (this pod or node name). */
  readonly instance: string;
  /** Repeated events remembered for aggregation. Default 256 (oldest forgotten first). */
  readonly maxTrackedEvents?: number;
  /** Stamps the Events it records; from the composition root. */
  readonly clock: Clock;
}

const MAX_ATTEMPTS = 5;

/** NodeOps through the Kubernetes API. */
export class K8sNodeOps implements NodeOps {
  readonly #options: K8sNodeOpsOptions;
  readonly #events = new Map<string, { name: string; namespace: string; count: number }>();

  constructor(options: K8sNodeOpsOptions) {
    this.#options = options;
  }

  #settings(options: NodeOpsCallOptions, contentType?: string) {
    return {
      ...options,
      timeoutMs: this.#options.requestTimeoutMs,
      ...(contentType ? { contentType } : {}),
    };
  }

  async #readNode(node: string, options: NodeOpsCallOptions): Promise<V1Node> {
    return kubeCall(`get node ${node}`, this.#settings(options), (o) =>
      this.#options.clients.core.readNode({ name: node }, o),
    );
  }

  /** Runs a read-modify-write edit, redoing it on a 409 from a concurrent writer. */
  async #edit(
    node: string,
    options: NodeOpsCallOptions,
    attempt: (n: V1Node) => Promise<boolean>,
  ): Promise<boolean> {
    for (let i = 1; ; i++) {
      try {
        return await attempt(await this.#readNode(node, options));
      } catch (err) {
        if (!hasCode(err, 'K8S_CONFLICT') || i >= MAX_ATTEMPTS) throw err;
      }
    }
  }

  #patchTaints(
    n: V1Node,
    taints: readonly NodeTaint[],
    options: NodeOpsCallOptions,
  ): Promise<V1Node> {
    const name = n.metadata?.name ?? '';
    const body = { metadata: { resourceVersion: n.metadata?.resourceVersion }, spec: { taints } };
    return kubeCall(`patch taints of node ${name}`, this.#settings(options, MERGE_PATCH), (o) =>
      this.#options.clients.core.patchNode({ name, body }, o),
    );
  }

  taintNode(node: string, taint: NodeTaint, options: NodeOpsCallOptions): Promise<boolean> {
    return this.#edit(node, options, async (n) => {
      const next = withTaint(taintsOf(n), taint);
      if (!next) return false;
      await this.#patchTaints(n, next, options);
      return true;
    });
  }

  untaintNode(
    node: string,
    taint: Pick<NodeTaint, 'key' | 'effect'>,
    options: NodeOpsCallOptions,
  ): Promise<boolean> {
    return this.#edit(node, options, async (n) => {
      const next = withoutTaint(taintsOf(n), taint);
      if (!next) return false;
      await this.#patchTaints(n, next, options);
      return true;
    });
  }

  setNodeCondition(
    node: string,
    condition: NodeConditionUpdate,
    options: NodeOpsCallOptions,
  ): Promise<boolean> {
    const clock = this.#options.clock;
    return this.#edit(node, options, async (n) => {
      const current = (n.status?.conditions ?? []).map((c): NodeCondition => ({
        type: c.type,
        status: c.status as NodeCondition['status'],
        reason: c.reason ?? '',
        message: c.message ?? '',
        ...(c.lastHeartbeatTime ? { lastHeartbeatTime: iso(c.lastHeartbeatTime) } : {}),
        ...(c.lastTransitionTime ? { lastTransitionTime: iso(c.lastTransitionTime) } : {}),
      }));
      const nowIso = new Date(clock.now()).toISOString().replace(/\.\d+Z$/, 'Z');
      const { conditions, changed } = withCondition(current, condition, nowIso);
      const body = {
        metadata: { resourceVersion: n.metadata?.resourceVersion },
        status: { conditions },
      };
      await kubeCall(`patch status of node ${node}`, this.#settings(options, MERGE_PATCH), (o) =>
        this.#options.clients.core.patchNodeStatus({ name: node, body }, o),
      );
      return changed;
    });
  }

  async recordEvent(event: NodeEvent, options: NodeOpsCallOptions): Promise<void> {
    const { involvedObject: io } = event;
    const namespace = io.namespace ?? this.#options.eventsNamespace ?? 'default';
    const key = `${io.kind}/${io.namespace ?? ''}/${io.name}/${event.reason}/${event.type}/${event.message}`;
    const now = new Date(this.#options.clock.now());
    const seen = this.#events.get(key);
    if (seen) {
      try {
        const body = { count: seen.count + 1, lastTimestamp: now.toISOString() };
        await kubeCall(`patch event ${seen.name}`, this.#settings(options, MERGE_PATCH), (o) =>
          this.#options.clients.core.patchNamespacedEvent(
            { name: seen.name, namespace: seen.namespace, body },
            o,
          ),
        );
        seen.count++;
        return;
      } catch (err) {
        // Events expire (1 h by default): start a new one.
        if (!hasCode(err, 'K8S_NOT_FOUND')) throw err;
        this.#events.delete(key);
      }
    }
    const name = `${io.name}.${now.getTime().toString(16)}${randomBytes(3).toString('hex')}`;
    const body = Object.assign(new CoreV1Event(), {
      metadata: Object.assign(new V1ObjectMeta(), { name, namespace }),
      involvedObject: Object.assign(
        new V1ObjectReference(),
        io,
        io.kind === 'Node' ? { uid: io.uid ?? io.name } : {},
      ),
      reason: event.reason,
      message: event.message,
      type: event.type,
      count: 1,
      firstTimestamp: now,
      lastTimestamp: now,
      source: Object.assign(new V1EventSource(), {
        component: this.#options.component,
        host: this.#options.instance,
      }),
      reportingComponent: this.#options.component,
      reportingInstance: this.#options.instance,
    });
    await kubeCall(`create event for ${io.kind} ${io.name}`, this.#settings(options), (o) =>
      this.#options.clients.core.createNamespacedEvent({ namespace, body }, o),
    );
    this.#events.set(key, { name, namespace, count: 1 });
    if (this.#events.size > (this.#options.maxTrackedEvents ?? 256)) {
      const oldest = this.#events.keys().next().value;
      if (oldest !== undefined) this.#events.delete(oldest);
    }
  }
}

function taintsOf(n: V1Node): NodeTaint[] {
  return (n.spec?.taints ?? []).map((t: V1Taint) => ({
    key: t.key,
    ...(t.value !== undefined ? { value: t.value } : {}),
    effect: t.effect as NodeTaint['effect'],
  }));
}

const iso = (value: Date | string): string =>
  typeof value === 'string' ? value : value.toISOString().replace(/\.\d+Z$/, 'Z');
