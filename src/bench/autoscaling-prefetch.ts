/**
 * The weight-prefetch variant of `bench autoscaling`: the PodAutoscaler commands the candidate
 * nodes to pull the model's weights when it decides a scale-up, so the download runs while the
 * pod is scheduled and started, and the engine then loads from the node cache. Cold start
 * without prefetch: pod start + engine init + weights / remote rate (Run:ai streamer from S3,
 * 3.51 GiB/s, perf.md §4). With prefetch: pod start + engine init + weights / node-cache rate
 * (page cache: 3.4 GiB in 0.69 s ≈ 4.93 GiB/s, vllm#20264, perf.md §4) + whatever part of the
 * download outlasts the pod start. Pure.
 */
import type { StrategyTotals } from './autoscaling-report.js';

/** The suffix of a strategy's prefetch variant (`KPA+prefetch`). */
export const PREFETCH_SUFFIX = '+prefetch';

/** Cold start with weights prefetched, seconds (see the file comment). */
export function prefetchColdStartS(o: {
  readonly podStartS: number;
  readonly engineInitS: number;
  readonly weightBytes: number;
  readonly remoteGibps: number;
  readonly nodeCacheGibps: number;
}): number {
  const gib = o.weightBytes / 1024 ** 3;
  const downloadS = gib / o.remoteGibps;
  return (
    o.podStartS + o.engineInitS + gib / o.nodeCacheGibps + Math.max(0, downloadS - o.podStartS)
  );
}

/** What prefetch changed for one strategy over every workload (prefetch minus plain). */
export interface PrefetchEffect {
  readonly strategy: string;
  readonly worstP99TtftMs: { readonly plain: number; readonly prefetch: number };
  readonly sloAttainment: { readonly plain: number; readonly prefetch: number };
  readonly replicaSeconds: { readonly plain: number; readonly prefetch: number };
}

/** Pairs each strategy's totals with its `+prefetch` variant's. */
export function prefetchEffects(totals: readonly StrategyTotals[]): PrefetchEffect[] {
  const out: PrefetchEffect[] = [];
  for (const plain of totals) {
    const pre = totals.find((t) => t.strategy === `${plain.strategy}${PREFETCH_SUFFIX}`);
    if (pre === undefined) continue;
    out.push({
      strategy: plain.strategy,
      worstP99TtftMs: { plain: plain.worstP99TtftMs, prefetch: pre.worstP99TtftMs },
      sloAttainment: { plain: plain.sloAttainment, prefetch: pre.sloAttainment },
      replicaSeconds: { plain: plain.replicaSeconds, prefetch: pre.replicaSeconds },
    });
  }
  return out;
}
