/**
 * The `bench gateway --replicas` section: its plan (passed to the load generator as JSON), its
 * result shape, the classification of failures around a leader kill (pure), the targets
 * (reported, never asserted) and the markdown it adds to gateway.md.
 */
import type { GatewayOwn } from './gateway-report.js';
import type { LatencySummary } from './latency-stats.js';
import type { ReplicaSample } from './replica-load-client.js';

/** What the replicas load generator is told (JSON on its command line). */
export interface ReplicaPhasePlan {
  readonly host: string;
  readonly model: string;
  /** Leader first, then the followers. */
  readonly replicas: readonly {
    readonly name: string;
    readonly gatewayPort: number;
    readonly controlPort: number;
  }[];
  readonly directPorts: readonly number[];
  /** Replica counts to measure throughput at (each ≤ replicas.length). */
  readonly counts: readonly number[];
  readonly concurrency: number;
  /** Per replica count (two halves), and the direct run, ms. */
  readonly durationMs: number;
  readonly maxTokens: number;
  readonly promptBytes: number;
  readonly timeoutMs: number;
  readonly stickinessPrompts: number;
  readonly stickinessPromptBytes: number;
  /** Also send other prompts' pairs with this pause between the two requests, ms (0: not). */
  readonly stickinessGapMs: number;
  /** The kill phase: load over every replica for `durationMs`, the leader killed at `killAtMs`. */
  readonly kill: { readonly durationMs: number; readonly killAtMs: number };
}

/** Throughput with the load spread over the first `replicas` replicas. */
export interface ReplicaThroughputPoint {
  readonly replicas: number;
  readonly rps: number;
  readonly errors: number;
  readonly latency: LatencySummary;
  /** Each replica's CPU per request over the same windows. */
  readonly perReplica: readonly (GatewayOwn & { readonly name: string })[];
}

/** One set of prompt pairs. */
export interface StickinessSet {
  readonly prompts: number;
  readonly sameEngine: number;
  /** sameEngine over the pairs judged (both served, both named an engine). */
  readonly share: number;
  readonly errors: number;
  readonly missingEngine: number;
  readonly enginesUsed: number;
  /** The first pairs that landed on different engines (at most 10), replicas by index. */
  readonly mismatches: readonly {
    readonly prompt: number;
    readonly replicas: readonly [number, number];
    readonly engines: readonly [string, string];
  }[];
}

/** Prefix stickiness: across replicas, and the one-replica baseline. */
export interface StickinessResult {
  readonly promptBytes: number;
  readonly gapMs: number;
  /** Back to back: the second request right after the first answered. */
  readonly crossReplica: StickinessSet;
  /** The same with `gapMs` between the two (present when gapMs > 0). */
  readonly crossReplicaAfterGap?: StickinessSet;
  readonly sameReplica: StickinessSet;
}

/** Requests completed per one-second window, by replica; `startS` relative to the kill. */
export interface KillWindow {
  readonly startS: number;
  readonly byReplica: readonly number[];
  readonly total: number;
}

/** The leader kill under load. */
export interface KillResult {
  readonly durationMs: number;
  /** When the leader was killed, ms after the phase began. */
  readonly killedAfterMs: number;
  readonly requests: number;
  readonly served: number;
  readonly failed: number;
  /** Failed, and on the killed replica's connection when it died: in flight there. */
  readonly failedInFlightOnKilled: number;
  /** Failed without having reached an engine through the killed process (the goal: 0). */
  readonly failedNotReachedEngine: number;
  /**
   * Of those: sent after the kill on a pooled keep-alive connection to the killed replica
   * that the client had not yet seen close (reset; a POST is not retried on a reset).
   */
  readonly failedOnStaleKeepAlive: number;
  /** Requests retried on another replica after a refused connection. */
  readonly retriedAfterRefused: number;
  /**
   * Requests retried on another replica after a reset of a reused keep-alive connection before any
   * response byte (as the openai client retries connection errors), split by whether the first
   * attempt went out before the kill (it may have reached an engine through the killed process, so
   * the retry may run it twice) or after (it cannot have: the process was dead).
   */
  readonly retriedAfterStaleReset: {
    readonly sentBeforeKill: number;
    readonly sentAfterKill: number;
  };
  readonly errorsByCode: Readonly<Record<string, number>>;
  readonly windows: readonly KillWindow[];
  /** Served by the followers after the kill. */
  readonly servedByFollowersAfterKill: number;
}

/**
 * Classifies a kill phase's samples. A failed request counts as in flight on the killed process
 * when it went to that replica, on a connected socket, before the kill; every other failure
 * (refused on every replica, an error from a live replica, a request sent to the dead one after
 * the kill) had not reached an engine through the killed process.
 */
export function classifyKill(
  samples: readonly ReplicaSample[],
  phase: { readonly startedAtMs: number; readonly endedAtMs: number; readonly killedAtMs: number },
  replicas: number,
): KillResult {
  const failedList = samples.filter((s) => !s.ok);
  const inFlight = failedList.filter(
    (s) => s.target === 0 && s.connected && s.startedAtMs < phase.killedAtMs,
  ).length;
  const errorsByCode: Record<string, number> = {};
  for (const s of failedList) {
    const code = s.error ?? 'unknown';
    errorsByCode[code] = (errorsByCode[code] ?? 0) + 1;
  }
  const windows: KillWindow[] = [];
  // Whole windows only, aligned on the kill.
  const first = Math.ceil((phase.startedAtMs - phase.killedAtMs) / 1000);
  const last = Math.floor((phase.endedAtMs - phase.killedAtMs) / 1000);
  for (let w = first; w < last; w++) {
    const from = phase.killedAtMs + w * 1000;
    const inWindow = samples.filter(
      (s) =>
        s.ok && s.endedAtMs >= from && s.endedAtMs < from + 1000 && s.endedAtMs < phase.endedAtMs,
    );
    const byReplica = Array.from(
      { length: replicas },
      (_, r) => inWindow.filter((s) => s.target === r).length,
    );
    windows.push({ startS: w, byReplica, total: inWindow.length });
  }
  return {
    durationMs: phase.endedAtMs - phase.startedAtMs,
    killedAfterMs: phase.killedAtMs - phase.startedAtMs,
    requests: samples.length,
    served: samples.length - failedList.length,
    failed: failedList.length,
    failedInFlightOnKilled: inFlight,
    failedNotReachedEngine: failedList.length - inFlight,
    failedOnStaleKeepAlive: failedList.filter(
      (s) => s.target === 0 && s.connected && s.startedAtMs >= phase.killedAtMs,
    ).length,
    retriedAfterRefused: samples.filter((s) => s.retries > s.resetRetries).length,
    retriedAfterStaleReset: {
      sentBeforeKill: samples.filter(
        (s) => s.resetRetries > 0 && s.firstStartedAtMs < phase.killedAtMs,
      ).length,
      sentAfterKill: samples.filter(
        (s) => s.resetRetries > 0 && s.firstStartedAtMs >= phase.killedAtMs,
      ).length,
    },
    errorsByCode,
    windows,
    servedByFollowersAfterKill: samples.filter(
      (s) => s.ok && s.target !== 0 && s.startedAtMs >= phase.killedAtMs,
    ).length,
  };
}
