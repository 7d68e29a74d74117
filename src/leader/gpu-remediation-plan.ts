/**
 * What GPU remediation should do to one node, from what its agent reports: pure. A node with a
 * failed GPU is tainted and its condition says so; a node whose GPUs are all healthy or degraded
 * (the agent's policy already applied the healthy hold-down) is untainted. Degraded only warns.
 */
import type { GpuHealthSummary } from '../protocol/index.js';

/** What GPU remediation should make true on one node: tainted or not, and why. */
export interface NodeRemediation {
  readonly node: string;
  readonly tainted: boolean;
  /** Failed GPUs with their reasons, for the Event and condition message. */
  readonly failed: readonly GpuHealthSummary[];
  readonly degraded: readonly GpuHealthSummary[];
  readonly message: string;
}

/** Decides a node's remediation from its agent's GPU summaries: any failed GPU taints it. Pure. */
export function planNodeRemediation(
  node: string,
  gpus: readonly GpuHealthSummary[],
): NodeRemediation {
  const failed = gpus.filter((g) => g.health === 'failed');
  const degraded = gpus.filter((g) => g.health === 'degraded');
  const describe = (list: readonly GpuHealthSummary[]): string =>
    list.map((g) => `GPU ${g.index} (${g.reasons.join('; ') || 'no reason given'})`).join(', ');
  const message =
    failed.length > 0
      ? `failed: ${describe(failed)}`
      : degraded.length > 0
        ? `degraded: ${describe(degraded)}`
        : `all ${gpus.length} GPUs healthy`;
  return { node, tainted: failed.length > 0, failed, degraded, message };
}
