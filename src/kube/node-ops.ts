/**
 * The NodeOps port: what GPU remediation does to a node (DESIGN.md §5) — taint and untaint it,
 * write Events, set the `InfernodeGpuHealthy` condition — plus the pure list edits behind them
 * and an in-memory adapter for the static mode and tests. `K8sNodeOps` is the Kubernetes adapter.
 */

/** A node taint (core/v1 Taint). */
export interface NodeTaint {
  readonly key: string;
  readonly value?: string;
  readonly effect: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
}

/** The taint GPU remediation puts on a node with a failed GPU. */
export const GPU_UNHEALTHY_TAINT: NodeTaint = {
  key: 'infernode.io/gpu-unhealthy',
  value: 'true',
  effect: 'NoSchedule',
};

/** The node condition type infernode owns. */
export const GPU_HEALTHY_CONDITION = 'InfernodeGpuHealthy';

/** The object an Event is about. */
export interface InvolvedObject {
  readonly kind: string;
  readonly name: string;
  /** Unset for cluster-scoped objects (nodes). */
  readonly namespace?: string;
  readonly uid?: string;
  readonly apiVersion?: string;
}

/** A core/v1 Event to record. */
export interface NodeEvent {
  readonly involvedObject: InvolvedObject;
  /** UpperCamelCase, e.g. `GpuXidError`. */
  readonly reason: string;
  readonly message: string;
  readonly type: 'Normal' | 'Warning';
}

/** A node condition to set. */
export interface NodeConditionUpdate {
  readonly type: string;
  readonly status: 'True' | 'False' | 'Unknown';
  readonly reason: string;
  readonly message: string;
}

/** A node condition as stored (times are RFC 3339). */
export interface NodeCondition extends NodeConditionUpdate {
  readonly lastHeartbeatTime?: string;
  readonly lastTransitionTime?: string;
}

/** Per-call options; adapters add their own request timeout. */
export interface NodeOpsCallOptions {
  readonly signal?: AbortSignal;
}

/** The port. Kubernetes failures are AppErrors with K8S_* codes. */
export interface NodeOps {
  /** Adds the taint (or updates its value) unless present; true when the node changed. Idempotent. */
  taintNode(node: string, taint: NodeTaint, options: NodeOpsCallOptions): Promise<boolean>;
  /** Removes the taint with this key and effect; true when the node changed. Idempotent. */
  untaintNode(
    node: string,
    taint: Pick<NodeTaint, 'key' | 'effect'>,
    options: NodeOpsCallOptions,
  ): Promise<boolean>;
  /** Records an Event; a repeat of the same reason and message on the same object bumps its count. */
  recordEvent(event: NodeEvent, options: NodeOpsCallOptions): Promise<void>;
  /** Sets one node condition; true when its status changed. */
  setNodeCondition(
    node: string,
    condition: NodeConditionUpdate,
    options: NodeOpsCallOptions,
  ): Promise<boolean>;
}

const sameTaint = (
  a: Pick<NodeTaint, 'key' | 'effect'>,
  b: Pick<NodeTaint, 'key' | 'effect'>,
): boolean => a.key === b.key && a.effect === b.effect;

/** `taints` with `taint` added or its value updated; undefined when already present as given. */
export function withTaint(taints: readonly NodeTaint[], taint: NodeTaint): NodeTaint[] | undefined {
  const existing = taints.find((t) => sameTaint(t, taint));
  if (existing && (existing.value ?? '') === (taint.value ?? '')) return undefined;
  return [...taints.filter((t) => !sameTaint(t, taint)), taint];
}

/** `taints` without the one with this key and effect; undefined when it is not there. */
export function withoutTaint(
  taints: readonly NodeTaint[],
  taint: Pick<NodeTaint, 'key' | 'effect'>,
): NodeTaint[] | undefined {
  return taints.some((t) => sameTaint(t, taint))
    ? taints.filter((t) => !sameTaint(t, taint))
    : undefined;
}

/**
 * `conditions` with `update` applied at `nowIso`: lastTransitionTime moves only when the status
 * changes, lastHeartbeatTime always.
 */
export function withCondition(
  conditions: readonly NodeCondition[],
  update: NodeConditionUpdate,
  nowIso: string,
): { conditions: NodeCondition[]; changed: boolean } {
  const old = conditions.find((c) => c.type === update.type);
  const changed = old?.status !== update.status;
  const next: NodeCondition = {
    ...update,
    lastHeartbeatTime: nowIso,
    lastTransitionTime: changed ? nowIso : (old.lastTransitionTime ?? nowIso),
  };
  const rest = conditions.filter((c) => c.type !== update.type);
  return { conditions: [...rest, next], changed };
}

/** One recorded call of {@link InMemoryNodeOps}. */
export type NodeOpsCall =
  | {
      readonly op: 'taint';
      readonly node: string;
      readonly taint: NodeTaint;
      readonly changed: boolean;
    }
  | {
      readonly op: 'untaint';
      readonly node: string;
      readonly key: string;
      readonly changed: boolean;
    }
  | { readonly op: 'event'; readonly event: NodeEvent }
  | {
      readonly op: 'condition';
      readonly node: string;
      readonly condition: NodeConditionUpdate;
      readonly changed: boolean;
    };

/**
 * NodeOps in memory, for the static mode (no Kubernetes: remediation decisions are still made,
 * logged and visible) and for tests. Keeps the latest state per node and every call (the call
 * log is bounded to `maxCalls`, default 1000, oldest dropped).
 */
export class InMemoryNodeOps implements NodeOps {
  readonly calls: NodeOpsCall[] = [];
  readonly taints = new Map<string, NodeTaint[]>();
  readonly conditions = new Map<string, NodeCondition[]>();
  readonly #maxCalls: number;

  constructor(maxCalls = 1000) {
    this.#maxCalls = maxCalls;
  }

  #log(call: NodeOpsCall): void {
    this.calls.push(call);
    if (this.calls.length > this.#maxCalls) this.calls.shift();
  }

  taintNode(node: string, taint: NodeTaint): Promise<boolean> {
    const next = withTaint(this.taints.get(node) ?? [], taint);
    if (next) this.taints.set(node, next);
    this.#log({ op: 'taint', node, taint, changed: next !== undefined });
    return Promise.resolve(next !== undefined);
  }

  untaintNode(node: string, taint: Pick<NodeTaint, 'key' | 'effect'>): Promise<boolean> {
    const next = withoutTaint(this.taints.get(node) ?? [], taint);
    if (next) this.taints.set(node, next);
    this.#log({ op: 'untaint', node, key: taint.key, changed: next !== undefined });
    return Promise.resolve(next !== undefined);
  }

  recordEvent(event: NodeEvent): Promise<void> {
    this.#log({ op: 'event', event });
    return Promise.resolve();
  }

  setNodeCondition(node: string, condition: NodeConditionUpdate): Promise<boolean> {
    const { conditions, changed } = withCondition(
      this.conditions.get(node) ?? [],
      condition,
      new Date().toISOString(),
    );
    this.conditions.set(node, conditions);
    this.#log({ op: 'condition', node, condition, changed });
    return Promise.resolve(changed);
  }
}
