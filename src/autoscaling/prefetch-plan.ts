/**
 * Where to prefetch a model's weights before a scale-up: the nodes likely to receive the new
 * pods. A node qualifies when its agent is connected and it has a healthy GPU no engine uses
 * (a new pod can land there) or it already runs an engine of the target (its node cache likely
 * holds the model: the pull is a cheap hit that keeps it from being evicted). Nodes with the most
 * free GPUs come first; at most `added` free-GPU nodes are chosen (one new pod each, at least),
 * plus every node already serving the target. Pure.
 */

/** What the plan needs to know of a node. */
export interface PrefetchNode {
  readonly node: string;
  readonly connected: boolean;
  /** Indices of its healthy GPUs. */
  readonly healthyGpus: readonly number[];
  /** GPU indices its engines use; undefined entries (unknown mapping) take the whole node. */
  readonly engineGpus: readonly (readonly number[] | undefined)[];
  /** It runs an engine of the target now. */
  readonly servesTarget: boolean;
}

/** Nodes to command `weights.pull` on, in order. */
export function prefetchNodes(nodes: readonly PrefetchNode[], added: number): string[] {
  if (added <= 0) return [];
  const free = (n: PrefetchNode): number => {
    if (n.engineGpus.some((g) => g === undefined)) return 0;
    const used = new Set(n.engineGpus.flatMap((g) => g ?? []));
    return n.healthyGpus.filter((i) => !used.has(i)).length;
  };
  const connected = nodes.filter((n) => n.connected);
  const withFree = connected
    .map((n) => ({ node: n.node, free: free(n) }))
    .filter((n) => n.free > 0)
    .sort((a, b) => b.free - a.free || a.node.localeCompare(b.node))
    .slice(0, added)
    .map((n) => n.node);
  const serving = connected.filter((n) => n.servesTarget).map((n) => n.node);
  return [...new Set([...withFree, ...serving.sort()])];
}
