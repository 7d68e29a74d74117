/**
 * Drives the pace decision (agent-pace.ts) while this process leads: every window it reads its
 * own event-loop delay monitor (not the metrics' one, which each scrape resets) and, when the
 * pace changes, tells the agents through the hub. A gauge per report kind shows the pace asked.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Gauge, sleep, type Logger, type Registry, type Runnable } from '../shared/index.js';
import {
  DEFAULT_PACE_POLICY,
  FOLLOWER_REPORT_GAP_MS,
  UNPACED,
  nextPace,
  type AgentPace,
  type PaceState,
} from './agent-pace.js';
import { LOOP_DELAY_RESOLUTION_MS as RESOLUTION_MS } from './event-loop-metrics.js';

/** What the pacer needs. */
export interface AgentPacerOptions {
  /** Where a new pace goes (the agent hub). */
  readonly pace: (pace: AgentPace) => void;
  /**
   * The state-report gap agents may keep while this replica leads (its pace), and the widest
   * gap a leader may ask for once it stops (a follower cannot know its leader's pace): the
   * cluster state judges staleness past it (ClusterStateStore.allowReportGap).
   */
  readonly reportGap?: (gapMs: number) => void;
  /**
   * Main-thread time spent on agents' messages since the last call, ms (the hub's
   * takeMessageBusyMs); without it every overloaded window counts as theirs.
   */
  readonly messageBusyMs?: () => number;
  readonly registry: Registry;
  readonly log: Logger;
  /** Window length, ms. Default 2000. */
  readonly windowMs?: number;
}

/** The pacer as a leader-only part. */
export function agentPacer(options: AgentPacerOptions): Runnable {
  const gauge = new Gauge({
    name: 'infernode_leader_agent_pace_ms',
    help: 'Shortest gap the leader asks agents to keep between routine reports (0: not paced), by report',
    labelNames: ['report'],
    registers: [options.registry],
  });
  const show = (pace: AgentPace): void => {
    gauge.set({ report: 'state' }, pace.stateIntervalMs);
    gauge.set({ report: 'kv' }, pace.kvFlushIntervalMs);
  };
  show(UNPACED);
  return {
    name: 'agent-pacer',
    run: async (signal) => {
      const delay = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
      delay.enable();
      let state: PaceState = { pace: UNPACED, calm: 0 };
      options.messageBusyMs?.(); // a window starts now
      let windowStart = performance.now();
      // Agents start unpaced on a new leader's connection (paced-reports.ts).
      options.reportGap?.(0);
      try {
        // sleep() resolves (not rejects) on abort: the check after it ends the loop. A function,
        // so the compiler does not carry the loop condition's narrowing past the await.
        const stopping = (): boolean => signal.aborted;
        while (!stopping()) {
          await sleep(options.windowMs ?? 2000, signal);
          if (stopping()) break;
          const p99Ms = delay.count === 0 ? 0 : delay.percentile(99) / 1e6 - RESOLUTION_MS;
          delay.reset();
          const now = performance.now();
          const busyMs = options.messageBusyMs?.();
          const share = busyMs === undefined ? 1 : busyMs / Math.max(1, now - windowStart);
          windowStart = now;
          const next = nextPace(state, p99Ms, DEFAULT_PACE_POLICY, share);
          const changed =
            next.pace.stateIntervalMs !== state.pace.stateIntervalMs ||
            next.pace.kvFlushIntervalMs !== state.pace.kvFlushIntervalMs;
          state = next;
          if (!changed) continue;
          options.log.info(
            {
              ...next.pace,
              p99Ms: Math.round(p99Ms),
              messageShare: Math.round(share * 1000) / 1000,
            },
            'agents paced',
          );
          show(next.pace);
          options.pace(next.pace);
          options.reportGap?.(next.pace.stateIntervalMs);
        }
      } finally {
        delay.disable();
        // A new leader starts unpaced; this one's agents will reconnect there.
        show(UNPACED);
        options.reportGap?.(FOLLOWER_REPORT_GAP_MS);
      }
    },
  };
}
