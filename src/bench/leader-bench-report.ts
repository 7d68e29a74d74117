/**
 * `bench leader`'s report: the leader's resources over the measured window (CPU cores from its
 * own CPU-seconds counter, peak RSS and heap, event-loop delay per scrape window, GC pauses), the
 * probe's delays to the routing view, pick latency, and the issue's goals as pass/fail; the lines
 * a run prints. Pure.
 */
import type { AgentsChildStats } from './leader-bench-plan.js';
import type { LeaderSample } from './leader-bench-leader.js';
import type { PickLoadResult } from './leader-bench-picks.js';
import type { ProbeTrial } from './leader-bench-probe.js';
import type { ThreadShares } from './thread-schedstat.js';
import {
  histogramDelta,
  ms3,
  summarize,
  summarizeHistogram,
  type GatewayOwnSummary,
  type LatencySummary,
  type PromHistogram,
} from './latency-stats.js';

/** A goal of issue #18 and whether this run met it. */
export interface LeaderTarget {
  readonly name: string;
  readonly goal: string;
  readonly value: number | null;
  readonly pass: boolean;
}

/** The probe's delays of one kind: every trial, their summary, and how many never showed. */
export interface ProbeSummary {
  readonly trialsMs: readonly (number | null)[];
  readonly summary: LatencySummary;
  readonly misses: number;
  readonly recoveredMs: LatencySummary;
}

export interface LeaderResources {
  readonly cpuCores: number;
  readonly rssMaxMiB: number;
  readonly heapUsedMaxMiB: number;
  /**
   * p99 of each scrape window, ms: the worst window, the median window, and every window in
   * time order (whether the worst come with the probe trials, a pace change, or all along).
   */
  readonly eventLoopDelayP99Ms: {
    readonly worstWindow: number;
    readonly medianWindow: number;
    readonly inOrder: readonly number[];
  };
  readonly eventLoopDelayMaxMs: number;
  /** The state-report gap asked of the agents at each window's end, in time order (0: none). */
  readonly paceStateMsInOrder: readonly number[];
  readonly windows: number;
  readonly metricsScrapeMsMax: number;
  /** The main thread's GC pauses over the window: scavenges (minor) and mark-compacts (major). */
  readonly gcPauses: { readonly minor: GcPauses | null; readonly major: GcPauses | null };
}

/** GC pauses of one kind over the window. */
export interface GcPauses {
  readonly perS: number;
  readonly meanMs: number;
  /** Pause time per second of the window. */
  readonly msPerS: number;
  /** Pauses over 10 ms (the histogram's bound nearest the goal) per second. */
  readonly over10msPerS: number;
}

/** Pauses between two scrapes of prom-client's GC histogram; null when either lacks it. */
function gcPausesBetween(
  before: PromHistogram | undefined,
  after: PromHistogram | undefined,
  seconds: number,
): GcPauses | null {
  if (before === undefined || after === undefined) return null;
  const d = histogramDelta(before, after);
  const upTo10ms = d.buckets.find((b) => b.le === 0.01)?.count ?? NaN;
  return {
    perS: ms3(d.count / seconds),
    meanMs: ms3(d.count === 0 ? 0 : (d.sum * 1000) / d.count),
    msPerS: ms3((d.sum * 1000) / seconds),
    over10msPerS: ms3((d.count - upTo10ms) / seconds),
  };
}

/** Resources over the measured window from scrapes taken at its start, during and at its end. */
export function leaderResources(samples: readonly LeaderSample[]): LeaderResources {
  const first = samples[0];
  const last = samples[samples.length - 1];
  if (first === undefined || last === undefined || samples.length < 2)
    throw new Error('need at least two scrapes of the leader');
  const inOrder = samples.slice(1).map((s) => ms3(s.loopDelayP99S * 1000));
  const p99s = [...inOrder].sort((a, b) => a - b);
  const mib = (b: number): number => Math.round((b / 2 ** 20) * 10) / 10;
  const seconds = (last.atMs - first.atMs) / 1000;
  return {
    cpuCores: ms3((last.cpuSeconds - first.cpuSeconds) / seconds),
    rssMaxMiB: mib(Math.max(...samples.map((s) => s.rssBytes))),
    heapUsedMaxMiB: mib(Math.max(...samples.map((s) => s.heapUsedBytes))),
    eventLoopDelayP99Ms: {
      worstWindow: p99s[p99s.length - 1] ?? NaN,
      medianWindow: p99s[Math.floor(p99s.length / 2)] ?? NaN,
      inOrder,
    },
    eventLoopDelayMaxMs: ms3(Math.max(...samples.slice(1).map((s) => s.loopDelayMaxS * 1000))),
    paceStateMsInOrder: samples.slice(1).map((s) => s.paceStateMs),
    windows: p99s.length,
    metricsScrapeMsMax: ms3(Math.max(...samples.map((s) => s.scrapeMs))),
    gcPauses: {
      minor: gcPausesBetween(first.gcPauses.minor, last.gcPauses.minor, seconds),
      major: gcPausesBetween(first.gcPauses.major, last.gcPauses.major, seconds),
    },
  };
}

/** What went wrong on the replica feed over the window (a follower's restarts, drops). */
export function feedTrouble(samples: readonly LeaderSample[]) {
  const first = samples[0]?.feed;
  const last = samples[samples.length - 1]?.feed;
  return {
    resyncs: (last?.resyncs ?? 0) - (first?.resyncs ?? 0),
    slowDropped: (last?.slowDropped ?? 0) - (first?.slowDropped ?? 0),
  };
}

/** The trials of one kind, summarized. */
export function probeSummary(
  trials: readonly ProbeTrial[],
  kind: ProbeTrial['kind'],
): ProbeSummary {
  const mine = trials.filter((t) => t.kind === kind);
  const shown = mine.flatMap((t) => (t.visibleMs === null ? [] : [t.visibleMs]));
  const back = mine.flatMap((t) => (t.recoveredMs === null ? [] : [t.recoveredMs]));
  return {
    trialsMs: mine.map((t) => (t.visibleMs === null ? null : ms3(t.visibleMs))),
    summary: summarize(shown),
    misses: mine.length - shown.length,
    recoveredMs: summarize(back),
  };
}

/** The gateway's own added latency between the first and last scrape. */
export function gatewayAdded(samples: readonly LeaderSample[]): GatewayOwnSummary | undefined {
  const before = samples[0]?.addedLatency;
  const after = samples[samples.length - 1]?.addedLatency;
  if (before === undefined || after === undefined) return undefined;
  return summarizeHistogram(histogramDelta(before, after));
}

/** Sums the agents children's last stats. */
export function agentTotals(stats: readonly AgentsChildStats[], seconds: number) {
  const sum = (key: keyof Omit<AgentsChildStats, 'type'>): number =>
    stats.reduce((acc, s) => acc + s[key], 0);
  return {
    processes: stats.length,
    connected: sum('connected'),
    welcomed: sum('welcomed'),
    stateSent: sum('stateSent'),
    kvSent: sum('kvSent'),
    resyncs: sum('resyncs'),
    kvResyncs: sum('kvResyncs'),
    closes: sum('closes'),
    backpressured: sum('backpressured'),
    /** The leader's pace at the end (the widest any agents process saw), ms; 0: not paced. */
    paceStateMsAtEnd: stats.reduce((m, s) => Math.max(m, s.paceStateMs), 0),
    paceKvMsAtEnd: stats.reduce((m, s) => Math.max(m, s.paceKvMs), 0),
    /** CPU the simulators used over the whole run (they share the machine with the leader). */
    cpuSecondsTotal: ms3(sum('cpuMicros') / 1e6),
    approxStateMessagesPerS: Math.round(sum('stateSent') / seconds),
    approxKvMessagesPerS: Math.round(sum('kvSent') / seconds),
  };
}

/** The goals for the leader at this size. */
export function leaderTargets(resources: LeaderResources, gpu: ProbeSummary): LeaderTarget[] {
  const gpuWorst = gpu.misses > 0 ? null : gpu.summary.maxMs;
  return [
    {
      name: 'leader CPU',
      goal: '< 1 core',
      value: resources.cpuCores,
      pass: resources.cpuCores < 1,
    },
    {
      name: 'leader RSS',
      goal: '< 1024 MiB',
      value: resources.rssMaxMiB,
      pass: resources.rssMaxMiB < 1024,
    },
    {
      name: 'event-loop delay p99 (worst scrape window)',
      goal: '< 20 ms',
      value: resources.eventLoopDelayP99Ms.worstWindow,
      pass: resources.eventLoopDelayP99Ms.worstWindow < 20,
    },
    {
      name: 'GPU failure (Xid) visible to routing (worst trial)',
      goal: '< 1000 ms, no trial missed',
      value: gpuWorst,
      pass: gpuWorst !== null && gpuWorst < 1000 && gpu.summary.n > 0,
    },
  ];
}

/** The run's summary lines for the terminal. */
export function leaderRunLines(
  result: {
    readonly targets: readonly LeaderTarget[];
    readonly leader: LeaderResources & { readonly firstPicksWindowP99Ms: number | null };
    readonly followers: readonly (LeaderResources & {
      readonly feed: { readonly resyncs: number };
    })[];
  },
  m: {
    readonly threads: ThreadShares | null;
    readonly picks: PickLoadResult;
    readonly clientLoopDelayP99Ms: number;
    readonly clientLoopDelayMaxMs: number;
    readonly benchLoopDelayMaxMs: number;
  },
): string[] {
  const lines = result.targets.map(
    (t) => `${t.pass ? 'PASS' : 'MISS'} ${t.name}: ${String(t.value)} (goal ${t.goal})`,
  );
  const first = result.leader.firstPicksWindowP99Ms;
  lines.push(
    `leader event-loop p99 by window: ${result.leader.eventLoopDelayP99Ms.inOrder.join(', ')} ms` +
      (first === null ? '' : `; the first window of picks (in the warm-up) ${first} ms`),
    `state reports paced at each window's end: ${result.leader.paceStateMsInOrder.join(', ')} ms (0: not paced)`,
  );
  const t = m.threads;
  if (t !== null)
    lines.push(
      `leader main thread: on a CPU ${t.mainOnCpu}, waiting for one ${t.mainWaitingForCpu} of the window (${t.mainMeanWaitPerSliceMs} ms per slice); other threads ${t.othersOnCpu}`,
    );
  for (const [kind, g] of Object.entries(result.leader.gcPauses))
    if (g !== null)
      lines.push(
        `leader GC (${kind}): ${g.perS} pauses/s, mean ${g.meanMs} ms, ${g.msPerS} ms/s, ${g.over10msPerS}/s over 10 ms`,
      );
  result.followers.forEach((f, i) =>
    lines.push(
      `follower ${i}: ${f.cpuCores} cores, RSS ${f.rssMaxMiB} MiB, event-loop p99 worst window ${f.eventLoopDelayP99Ms.worstWindow} ms, ${f.feed.resyncs} feed resyncs`,
    ),
  );
  lines.push(
    `picks p50 ${m.picks.latency.p50Ms} ms, p99 ${m.picks.latency.p99Ms} ms (the pick process's loop p99 ${m.clientLoopDelayP99Ms} ms, max ${m.clientLoopDelayMaxMs} ms; the bench's ${m.benchLoopDelayMaxMs} ms max)`,
  );
  return lines;
}
