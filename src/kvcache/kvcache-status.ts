/**
 * The leader's KVCache bookkeeping, pure: which nodes still need a `kv.configure` (their planned
 * args differ from the last ones they accepted), and the resource's status from what the agents
 * report of their stores (KvStoreReport; the leader's KV index keeps the latest per node).
 */
import type { Condition } from '../discovery/index.js';
import type { KvConfigureArgs } from './kv-commands.js';
import type { KvCachePlan } from './kvcache-plan.js';

/**
 * What the status needs of a node's store report: the protocol's KvStoreReport fits (the
 * protocol room sits above this one, so it is named structurally here).
 */
export interface KvStoreUsage {
  readonly budgetBytes: number;
  readonly usedBytes: number;
  readonly blocks: number;
  readonly shared: boolean;
  readonly lmcacheUrl?: string;
}

/** The latest store report of a node, if any. */
export type KvStoreReportOf = (node: string) => KvStoreUsage | undefined;

/** One node's usage, as the status shows it. */
export interface KvCacheNodeStatus {
  readonly node: string;
  readonly budgetBytes: number;
  readonly usedBytes: number;
  readonly blocks: number;
  readonly shared: boolean;
  /** The node's LMCache listener, when it has one. */
  readonly lmcacheUrl?: string;
}

/** The status the controller writes. */
export interface KvCacheComputedStatus {
  /** Nodes whose store reports the planned budget and sharing (AIBrix's `current`). */
  readonly current: number;
  readonly nodes: readonly KvCacheNodeStatus[];
  readonly conditions: readonly Condition[];
}

function sameArgs(a: KvConfigureArgs, b: KvConfigureArgs): boolean {
  return (
    a.resource === b.resource &&
    a.budgetBytes === b.budgetBytes &&
    a.policy === b.policy &&
    a.shared === b.shared &&
    a.engines.length === b.engines.length &&
    a.engines.every((e, i) => b.engines[i] === e)
  );
}

/** The planned nodes whose args differ from those last accepted (`accepted`). */
export function pendingConfigures(
  plan: KvCachePlan,
  accepted: (node: string) => KvConfigureArgs | undefined,
): KvCachePlan['nodes'] {
  return plan.nodes.filter((n) => {
    const last = accepted(n.node);
    return last === undefined || !sameArgs(last, n.args);
  });
}

/** The resource's status from the plan and the agents' reports. */
export function kvCacheStatus(
  plan: KvCachePlan,
  reportOf: KvStoreReportOf,
  now: Date,
): KvCacheComputedStatus {
  const nodes: KvCacheNodeStatus[] = [];
  let current = 0;
  for (const { node, args } of plan.nodes) {
    const report = reportOf(node);
    if (report === undefined) continue;
    nodes.push({
      node,
      budgetBytes: report.budgetBytes,
      usedBytes: report.usedBytes,
      blocks: report.blocks,
      shared: report.shared,
      ...(report.lmcacheUrl === undefined ? {} : { lmcacheUrl: report.lmcacheUrl }),
    });
    if (report.budgetBytes === args.budgetBytes && report.shared === args.shared) current++;
  }
  const ready = plan.nodes.length > 0 && current === plan.nodes.length;
  const time = now.toISOString();
  const conditions: Condition[] = [
    {
      type: 'Ready',
      status: ready ? 'True' : 'False',
      reason: plan.nodes.length === 0 ? 'NoNodes' : ready ? 'Applied' : 'Applying',
      message: `${current} of ${plan.nodes.length} selected nodes run the planned store`,
      lastTransitionTime: time,
    },
    {
      type: 'ValidSpec',
      status: plan.problems.length === 0 ? 'True' : 'False',
      reason: plan.problems.length === 0 ? 'Valid' : 'Unsupported',
      message: plan.problems.join('; ').slice(0, 1024) || 'every field applies',
      lastTransitionTime: time,
    },
  ];
  return { current, nodes, conditions };
}
