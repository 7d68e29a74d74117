/**
 * The `--replicas` section of `bench gateway` (issue #18): starts the followers next to the bench
 * cluster's leader, forks the replicas load generator, kills the leader when it asks, and times
 * how long until a follower leads. The leader is gone afterwards, so this runs last.
 */
import { fork } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import type { BenchCluster } from './bench-cluster.js';
import { startReplicaSet } from './gateway-replica-cluster.js';
import type { ReplicaLoadMessage } from './gateway-replicas-load.js';
import type {
  KillResult,
  ReplicaPhasePlan,
  ReplicaThroughputPoint,
  StickinessResult,
} from './gateway-replicas-report.js';

/** The section's settings, from the bench's flags (the load fields as the load generator's plan has them). */
export interface ReplicasSettings extends Pick<
  ReplicaPhasePlan,
  | 'model'
  | 'concurrency'
  | 'durationMs'
  | 'maxTokens'
  | 'promptBytes'
  | 'timeoutMs'
  | 'stickinessPrompts'
  | 'stickinessPromptBytes'
  | 'stickinessGapMs'
> {
  /** Replica counts, e.g. [1, 2]; the most is how many run. */
  readonly counts: readonly number[];
  readonly leaderArgs: readonly string[];
  readonly killDurationMs: number;
  readonly takeoverAfterMs: number;
  readonly report: (line: string) => void;
}

/** What the section measured. */
export interface ReplicasSection {
  readonly counts: readonly number[];
  readonly concurrency: number;
  readonly takeoverAfterMs: number;
  readonly throughput: {
    readonly directRps: number;
    readonly points: readonly ReplicaThroughputPoint[];
    /** Throughput with the most replicas ÷ with 1. */
    readonly ratio: number;
  };
  readonly stickiness: StickinessResult;
  readonly kill: KillResult & {
    /** The follower that took over and how long after the kill it was seen leading. */
    readonly takeover: { readonly by: string; readonly afterMs: number } | undefined;
  };
}

interface LoadOutput {
  throughput: { directRps: number; points: ReplicaThroughputPoint[] };
  stickiness: StickinessResult;
  kill: KillResult;
}

/** Runs the section on a started bench cluster; the cluster's leader is dead when it returns. */
export async function runReplicasSection(
  bench: BenchCluster,
  s: ReplicasSettings,
): Promise<ReplicasSection> {
  const count = Math.max(...s.counts);
  const set = await startReplicaSet(bench, s.model, {
    count,
    leaderArgs: s.leaderArgs,
    takeoverAfterMs: s.takeoverAfterMs,
    readyTimeoutMs: 30_000,
    report: s.report,
  });
  const plan: ReplicaPhasePlan = {
    ...{ host: bench.host, model: s.model, replicas: set.replicas, directPorts: bench.enginePorts },
    ...{ counts: s.counts, concurrency: s.concurrency, durationMs: s.durationMs },
    ...{ maxTokens: s.maxTokens, promptBytes: s.promptBytes, timeoutMs: s.timeoutMs },
    stickinessPrompts: s.stickinessPrompts,
    stickinessPromptBytes: s.stickinessPromptBytes,
    stickinessGapMs: s.stickinessGapMs,
    kill: { durationMs: s.killDurationMs, killAtMs: Math.round(s.killDurationMs / 3) },
  };
  const script = fileURLToPath(new URL('./gateway-replicas-load.js', import.meta.url));
  const child = fork(script, [JSON.stringify(plan)], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const budgetMs = 2 * s.counts.length * s.durationMs + s.killDurationMs + 240_000;
  const timer = setTimeout(() => child.kill('SIGKILL'), budgetMs);
  let takeover: Promise<{ name: string; atMs: number } | undefined> | undefined;
  let killedAtMs = NaN;
  let output: LoadOutput | undefined;
  child.on('message', (m: ReplicaLoadMessage) => {
    if (m.type === 'kill') {
      killedAtMs = set.killLeader();
      s.report(`killed the leader (SIGKILL)`);
      takeover = set.waitForNewLeader(s.takeoverAfterMs + 30_000);
      child.send({ type: 'killed', atMs: killedAtMs } satisfies ReplicaLoadMessage);
    } else if (m.type === 'result') output = m.result as LoadOutput;
  });
  const [code] = (await once(child, 'exit')) as [number | null];
  clearTimeout(timer);
  if (output === undefined)
    throw new Error(`replicas load generator exited with ${String(code)} and no result`);
  const led = takeover === undefined ? undefined : await takeover;
  const { points, directRps } = output.throughput;
  const one = points.find((p) => p.replicas === 1)?.rps ?? NaN;
  const most = points.find((p) => p.replicas === count)?.rps ?? NaN;
  return {
    counts: s.counts,
    concurrency: s.concurrency,
    takeoverAfterMs: s.takeoverAfterMs,
    throughput: { directRps, points, ratio: Math.round((most / one) * 1000) / 1000 },
    stickiness: output.stickiness,
    kill: {
      ...output.kill,
      takeover: led === undefined ? undefined : { by: led.name, afterMs: led.atMs - killedAtMs },
    },
  };
}
