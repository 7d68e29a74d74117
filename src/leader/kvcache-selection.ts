/**
 * The KVCache controller's pure parts (issue #14): the nodes the plan sees (from the cluster
 * state: connected agents and the engines discovery places on them), one resource's share of
 * the cluster-wide plan (a node goes to the first resource that selects it, planKvCaches), and
 * the next status from the computed one (transition times kept while a condition holds, no
 * write when nothing changed, failed configures shown as a condition).
 */
import type { Condition, CustomResource } from '../discovery/index.js';
import {
  planKvCache,
  planKvCaches,
  type KVCache,
  type KVCacheStatus,
  type KvCacheComputedStatus,
  type KvCachePlan,
  type KvPlanNode,
} from '../kvcache/index.js';

/** Engine labels that name the GPU product of the engine's node (first one set wins). */
export const GPU_TYPE_LABELS = ['infernode.io/gpu-type', 'nvidia.com/gpu.product'] as const;

/** `<namespace>/<name>` of a resource (`default` when the file gives no namespace). */
export const kvCacheKey = (r: CustomResource): string =>
  `${r.metadata.namespace ?? 'default'}/${r.metadata.name}`;

/** The KVCache resources among discovery's. */
export const kvCachesOf = (resources: readonly CustomResource[]): KVCache[] =>
  resources.filter((r): r is KVCache => r.kind === 'KVCache');

/** What the plan needs of one engine. */
export interface KvEngineInput {
  readonly id: string;
  readonly model: string;
  readonly node: string;
  readonly labels?: Readonly<Record<string, string>>;
}

/**
 * The plan's nodes: each connected node with the engines discovery places on it; its GPU type
 * from the first engine label of {@link GPU_TYPE_LABELS}. Sorted by name.
 */
export function kvPlanNodes(
  connectedNodes: readonly string[],
  engines: readonly KvEngineInput[],
): KvPlanNode[] {
  return [...new Set(connectedNodes)].sort().map((name) => {
    const own = engines.filter((e) => e.node === name);
    let gpuType: string | undefined;
    for (const e of own)
      for (const label of GPU_TYPE_LABELS) gpuType ??= e.labels?.[label] ?? undefined;
    return {
      name,
      ...(gpuType === undefined ? {} : { gpuType }),
      engines: own.map((e) => ({ id: e.id, model: e.model })),
    };
  });
}

/**
 * `resource`'s share of the plan over all `resources`: the nodes it selects that no earlier
 * resource took, and its own problems plus one per node another resource holds.
 */
export function planForResource(
  resource: KVCache,
  resources: readonly KVCache[],
  nodes: readonly KvPlanNode[],
): KvCachePlan {
  const key = kvCacheKey(resource);
  const owner = new Map(planKvCaches(resources, nodes).nodes.map((n) => [n.node, n.args.resource]));
  const own = planKvCache(resource, nodes);
  const problems = [...own.problems];
  for (const n of own.nodes) {
    const holder = owner.get(n.node);
    if (holder !== undefined && holder !== key)
      problems.push(`node ${n.node} already uses ${holder}`);
  }
  return { nodes: own.nodes.filter((n) => owner.get(n.node) === key), problems };
}

/** A node whose last `kv.configure` failed. */
export interface KvConfigureFailure {
  readonly node: string;
  readonly code: string;
  readonly message: string;
}

const sameCondition = (a: Condition, b: Condition): boolean =>
  a.status === b.status && a.reason === b.reason && a.message === b.message;

/**
 * The status to write: `computed` plus a `Configured` condition (False while nodes' configures
 * fail), each condition's lastTransitionTime kept from `previous` while its status holds.
 * Undefined when it equals `previous` (apart from times): no write.
 */
export function nextKvCacheStatus(
  previous: KVCacheStatus,
  computed: KvCacheComputedStatus,
  failures: readonly KvConfigureFailure[],
  observedGeneration: number | undefined,
): KVCacheStatus | undefined {
  const time = computed.conditions[0]?.lastTransitionTime ?? new Date(0).toISOString();
  const configured: Condition = {
    type: 'Configured',
    status: failures.length === 0 ? 'True' : 'False',
    reason: failures.length === 0 ? 'Accepted' : 'ConfigureFailed',
    message:
      failures.length === 0
        ? 'every planned node accepted its settings or has a configure on the way'
        : failures
            .map((f) => `${f.node}: ${f.code} ${f.message}`)
            .join('; ')
            .slice(0, 1024),
    lastTransitionTime: time,
  };
  const conditions = [...computed.conditions, configured].map((c) => {
    const before = previous.conditions?.find((p) => p.type === c.type);
    const withGeneration = observedGeneration === undefined ? c : { ...c, observedGeneration };
    const since = before?.status === c.status ? before.lastTransitionTime : undefined;
    return since !== undefined ? { ...withGeneration, lastTransitionTime: since } : withGeneration;
  });
  const next: KVCacheStatus = { current: computed.current, nodes: computed.nodes, conditions };
  const unchanged =
    previous.current === next.current &&
    JSON.stringify(previous.nodes ?? []) === JSON.stringify(next.nodes) &&
    (previous.conditions?.length ?? 0) === conditions.length &&
    conditions.every((c) => {
      const p = previous.conditions?.find((q) => q.type === c.type);
      return (
        p !== undefined && sameCondition(p, c) && p.observedGeneration === c.observedGeneration
      );
    });
  return unchanged ? undefined : next;
}
