/**
 * How a KVCache resource (AIBrix's field names, reference/aibrix.md §7) takes effect on
 * infernode's per-node L1 stores: a pure map from the resource and the nodes and engines the
 * leader knows to each node's `kv.configure` args.
 *
 * - Capacity per node: `spec.cache.resources.limits.memory`, else `requests.memory` (AIBrix sizes
 *   its cache pods so); else {@link DEFAULT_KV_BUDGET_BYTES} (AIBrix's L1 default, 10 GB).
 * - Eviction policy: annotation `kvcache.infernode.io/eviction-policy`, else the cache env
 *   `AIBRIX_KV_CACHE_OL_L1_CACHE_EVICTION_POLICY` (S3FIFO | LRU, any case); default s3fifo.
 *   FIFO (AIBrix has it; infernode does not) is reported as a problem and s3fifo is used.
 * - Which engines: annotation `kvcache.orchestration.aibrix.ai/pod-affinity-workload` (or
 *   `kvcache.infernode.io/workload`): engines serving that model; absent, every engine.
 * - Which nodes: annotation `kvcache.orchestration.aibrix.ai/node-affinity-gpu-type` (or
 *   `kvcache.infernode.io/gpu-type`): nodes with that GPU type; absent, every node.
 * - Sharing across nodes: annotation `kvcache.infernode.io/share-across-nodes` ("true"/"false");
 *   default on in both AIBrix modes (centralized and distributed both let engines on different
 *   nodes reuse each other's KV).
 */
import type { EvictionPolicyName } from './eviction-policy.js';
import type { KvConfigureArgs } from './kv-commands.js';
import type { KVCache } from './kvcache-resource.js';
import { parseQuantity } from './kubernetes-quantity.js';

/** AIBrix's `AIBRIX_KV_CACHE_OL_L1_CACHE_CAPACITY_GB` default: 10 GB. */
export const DEFAULT_KV_BUDGET_BYTES = 10e9;

/** The annotations the plan reads (AIBrix's are read too). */
export const KVCACHE_ANNOTATIONS = {
  evictionPolicy: 'kvcache.infernode.io/eviction-policy',
  workload: [
    'kvcache.infernode.io/workload',
    'kvcache.orchestration.aibrix.ai/pod-affinity-workload',
  ],
  gpuType: [
    'kvcache.infernode.io/gpu-type',
    'kvcache.orchestration.aibrix.ai/node-affinity-gpu-type',
  ],
  shared: 'kvcache.infernode.io/share-across-nodes',
} as const;

/** AIBrix's env name for the L1 eviction policy. */
export const AIBRIX_EVICTION_POLICY_ENV = 'AIBRIX_KV_CACHE_OL_L1_CACHE_EVICTION_POLICY';

/** A node as the plan sees it. */
export interface KvPlanNode {
  readonly name: string;
  /** The node's GPU product name (e.g. `NVIDIA-L20`), when known. */
  readonly gpuType?: string;
  readonly engines: readonly { readonly id: string; readonly model: string }[];
}

/** One node's share of a resource. */
export interface KvNodePlan {
  readonly node: string;
  readonly args: KvConfigureArgs;
}

/** The plan: per-node settings and what in the resource could not be honoured. */
export interface KvCachePlan {
  readonly nodes: readonly KvNodePlan[];
  readonly problems: readonly string[];
}

function annotation(resource: KVCache, names: string | readonly string[]): string | undefined {
  const all = resource.metadata.annotations ?? {};
  for (const name of typeof names === 'string' ? [names] : names) {
    const value = all[name]?.trim();
    if (value !== undefined && value !== '') return value;
  }
  return undefined;
}

function memoryOf(resources: Readonly<Record<string, unknown>> | undefined): unknown {
  const pick = (k: string): unknown =>
    (resources?.[k] as Readonly<Record<string, unknown>> | undefined)?.memory;
  return pick('limits') ?? pick('requests');
}

function budget(resource: KVCache, problems: string[]): number {
  const raw = memoryOf(resource.spec.cache?.resources);
  if (raw === undefined) return DEFAULT_KV_BUDGET_BYTES;
  const bytes = parseQuantity(typeof raw === 'string' || typeof raw === 'number' ? raw : undefined);
  if (bytes === undefined || bytes < 1) {
    problems.push(
      `spec.cache.resources memory ${JSON.stringify(raw)} is not a quantity; using the default`,
    );
    return DEFAULT_KV_BUDGET_BYTES;
  }
  return Math.floor(bytes);
}

function policy(resource: KVCache, problems: string[]): EvictionPolicyName {
  const env = resource.spec.cache?.env?.find((e) => e.name === AIBRIX_EVICTION_POLICY_ENV)?.value;
  const raw = annotation(resource, KVCACHE_ANNOTATIONS.evictionPolicy) ?? env;
  if (raw === undefined) return 's3fifo';
  const name = raw.toLowerCase().replace(/[-_]/g, '');
  if (name === 's3fifo' || name === 'lru') return name;
  problems.push(`eviction policy ${raw} is not supported (S3FIFO or LRU); using S3FIFO`);
  return 's3fifo';
}

function shared(resource: KVCache, problems: string[]): boolean {
  const raw = annotation(resource, KVCACHE_ANNOTATIONS.shared);
  if (raw === undefined || raw === 'true') return true;
  if (raw === 'false') return false;
  problems.push(`${KVCACHE_ANNOTATIONS.shared} must be "true" or "false", not ${raw}`);
  return true;
}

/** Each selected node's `kv.configure` args for `resource` (see the file comment). */
export function planKvCache(resource: KVCache, nodes: readonly KvPlanNode[]): KvCachePlan {
  const problems: string[] = [];
  const id = `${resource.metadata.namespace ?? 'default'}/${resource.metadata.name}`;
  const common = {
    resource: id,
    budgetBytes: budget(resource, problems),
    policy: policy(resource, problems),
    shared: shared(resource, problems),
  };
  const workload = annotation(resource, KVCACHE_ANNOTATIONS.workload);
  const gpuType = annotation(resource, KVCACHE_ANNOTATIONS.gpuType);
  const planned = nodes
    .filter((node) => gpuType === undefined || node.gpuType === gpuType)
    .map((node) => ({
      node: node.name,
      args: {
        ...common,
        engines: node.engines
          .filter((e) => workload === undefined || e.model === workload)
          .map((e) => e.id)
          .sort(),
      },
    }))
    .sort((a, b) => a.node.localeCompare(b.node));
  return { nodes: planned, problems };
}

/**
 * Several resources: each node takes the first resource (by `namespace/name`) that selects it,
 * so two resources never fight over one store; the others' claims on it are reported.
 */
export function planKvCaches(
  resources: readonly KVCache[],
  nodes: readonly KvPlanNode[],
): KvCachePlan {
  const byNode = new Map<string, KvNodePlan>();
  const problems: string[] = [];
  const ordered = [...resources].sort((a, b) =>
    `${a.metadata.namespace ?? ''}/${a.metadata.name}`.localeCompare(
      `${b.metadata.namespace ?? ''}/${b.metadata.name}`,
    ),
  );
  for (const resource of ordered) {
    const plan = planKvCache(resource, nodes);
    problems.push(...plan.problems.map((p) => `${resource.metadata.name}: ${p}`));
    for (const node of plan.nodes) {
      const taken = byNode.get(node.node);
      if (taken === undefined) byNode.set(node.node, node);
      else
        problems.push(
          `${node.args.resource}: node ${node.node} already uses ${taken.args.resource}`,
        );
    }
  }
  return { nodes: [...byNode.values()].sort((a, b) => a.node.localeCompare(b.node)), problems };
}
