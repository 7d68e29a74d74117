/**
 * The pace decision (issue #18; protocol in pace-messages.ts): from the leader's event-loop delay
 * over the last window, how often agents may send routine reports. Pure.
 *
 * Multiplicative back-off with hysteresis, as congestion control does: a window whose p99 delay
 * is over `highMs` stretches both intervals by `stretch` (from the agents' defaults on the first
 * step, up to the maxima), if the agents' messages took enough of it for that to matter, and
 * else shrinks them by `relax`; `calmWindows` windows in a row under `lowMs` shrink them too,
 * back to no pacing. In between nothing changes, so the pace settles where the leader keeps up.
 *
 * The pace that last overloaded the leader is remembered, as TCP remembers where it lost a
 * packet: relaxing toward it goes halfway instead of stepping onto it, and stops once a step
 * would be under `settleShare`, so the pace settles just short of it instead of returning there
 * every few windows. At 1,000 agents a full step from 1,125 to 750 ms put the leader back over
 * 20 ms within 6–12 s, three times a minute (`bench leader`). The memory fades after
 * `overloadMemoryWindows`, so a leader whose load fell gets its fresher reports back. Any
 * overload the agents are blamed for sets it, a burst too: the pace then holds near where the
 * burst left it until the memory fades. Remembering only relaxing steps that failed kept reports
 * fresher but missed the 20-ms goal (docs/decisions.md, "The pacer remembers...").
 */
import { PACE_LIMITS } from '../protocol/index.js';

/** Routine report gaps the agents are asked for; 0 and 0 is "no pacing". */
export interface AgentPace {
  readonly stateIntervalMs: number;
  readonly kvFlushIntervalMs: number;
}

/** Tuning of the pace decision. */
export interface PacePolicy {
  /**
   * A window's p99 event-loop delay over this is overload. Default 20 ms: the leader's goal
   * (issue #18), so the pace settles where the loop meets it, as far as the longest gaps allow
   * (at 50 ms, 1,000 agents kept the loop at 80–160 ms p99 in `bench leader`).
   */
  readonly highMs: number;
  /** Under this is calm. Default 8 ms. */
  readonly lowMs: number;
  /**
   * An overloaded window stretches the gaps only when that would free at least this share of
   * the window: the share spent on agents' messages × (1 − 1/stretch). Default 0.01. A leader
   * slowed by anything else (its gateway, a busy machine) gains nothing from staler reports:
   * with two agents on a saturated machine, pacing only delayed the KV index.
   */
  readonly minSavedShare: number;
  /** Calm windows in a row before relaxing. Default 3. */
  readonly calmWindows: number;
  /** Factor per overloaded window. Default 1.5. */
  readonly stretch: number;
  /** Divisor per relaxation. Default 1.5. */
  readonly relax: number;
  /** Where stretching starts from: the agents' own defaults (500 ms scrape, 100 ms KV flush). */
  readonly baseStateMs: number;
  readonly baseKvMs: number;
  /** The longest gaps asked for. Default 5000 and 2000 ms. */
  readonly maxStateMs: number;
  readonly maxKvMs: number;
  /** A relaxing step shorter than this share of the gap is not taken. Default 0.1. */
  readonly settleShare: number;
  /** Windows after which the pace that overloaded is forgotten. Default 150 (5 min of 2-s windows). */
  readonly overloadMemoryWindows: number;
}

export const DEFAULT_PACE_POLICY: PacePolicy = {
  highMs: 20,
  lowMs: 8,
  minSavedShare: 0.01,
  calmWindows: 3,
  stretch: 1.5,
  relax: 1.5,
  baseStateMs: 500,
  baseKvMs: 100,
  maxStateMs: Math.min(5000, PACE_LIMITS.maxStateIntervalMs),
  maxKvMs: Math.min(2000, PACE_LIMITS.maxKvFlushIntervalMs),
  settleShare: 0.1,
  overloadMemoryWindows: 150,
};

/**
 * The report gap a replica that does not lead allows its agents' reports: it cannot know its
 * leader's pace, so the widest one a leader of this version asks for.
 */
export const FOLLOWER_REPORT_GAP_MS = DEFAULT_PACE_POLICY.maxStateMs;

export const UNPACED: AgentPace = { stateIntervalMs: 0, kvFlushIntervalMs: 0 };

/** The pacer's memory between windows. */
export interface PaceState {
  readonly pace: AgentPace;
  /** Calm windows in a row. */
  readonly calm: number;
  /**
   * The pace of the last window that overloaded the leader through its agents' messages (no
   * pacing as the agents' own defaults), and how many windows ago; absent once forgotten.
   */
  readonly overloaded?: { readonly pace: AgentPace; readonly windowsAgo: number };
}

/**
 * The next state after a window whose p99 event-loop delay was `p99Ms`, of which the share
 * `reportShare` (0–1) went to handling agents' messages.
 */
export function nextPace(
  state: PaceState,
  p99Ms: number,
  policy: PacePolicy,
  reportShare = 1,
): PaceState {
  const { pace } = state;
  const overloaded = aged(state.overloaded, policy);
  const worthIt = reportShare * (1 - 1 / policy.stretch) >= policy.minSavedShare;
  // Slow, but not from the agents' messages: staler reports would not help, so a pace asked
  // for earlier eases off (the loop may never be calm enough to relax it otherwise).
  if (p99Ms > policy.highMs && !worthIt) return relaxed(pace, undefined, overloaded, policy);
  if (p99Ms > policy.highMs) {
    const grow = (ms: number, base: number, max: number): number =>
      Math.min(max, Math.round(ms === 0 ? base * policy.stretch : ms * policy.stretch));
    return {
      pace: {
        stateIntervalMs: grow(pace.stateIntervalMs, policy.baseStateMs, policy.maxStateMs),
        kvFlushIntervalMs: grow(pace.kvFlushIntervalMs, policy.baseKvMs, policy.maxKvMs),
      },
      calm: 0,
      overloaded: { pace: asGaps(pace, policy), windowsAgo: 0 },
    };
  }
  if (p99Ms >= policy.lowMs || pace.stateIntervalMs + pace.kvFlushIntervalMs === 0)
    return { pace, calm: 0, overloaded };
  if (state.calm + 1 < policy.calmWindows) return { pace, calm: state.calm + 1, overloaded };
  return relaxed(pace, overloaded?.pace, overloaded, policy);
}

/** The memory one window older; gone once it is `overloadMemoryWindows` old. */
function aged(overloaded: PaceState['overloaded'], policy: PacePolicy): PaceState['overloaded'] {
  if (overloaded === undefined || overloaded.windowsAgo + 1 >= policy.overloadMemoryWindows)
    return undefined;
  return { pace: overloaded.pace, windowsAgo: overloaded.windowsAgo + 1 };
}

/** The gaps the agents keep at `pace`: no pacing is their own defaults. */
function asGaps(pace: AgentPace, policy: PacePolicy): AgentPace {
  return {
    stateIntervalMs: pace.stateIntervalMs || policy.baseStateMs,
    kvFlushIntervalMs: pace.kvFlushIntervalMs || policy.baseKvMs,
  };
}

/**
 * One step back toward the agents' own defaults; back at (or under) them, pacing ends. A step
 * that would reach `avoid` (the pace that overloaded) goes halfway to it, and none is taken when
 * that is under `settleShare` of the gap: the pace holds.
 */
function relaxed(
  pace: AgentPace,
  avoid: AgentPace | undefined,
  overloaded: PaceState['overloaded'],
  policy: PacePolicy,
): PaceState {
  const halfway =
    avoid !== undefined && pace.stateIntervalMs / policy.relax <= avoid.stateIntervalMs;
  const step = (ms: number, bad: number): number =>
    Math.round(halfway ? (ms + bad) / 2 : ms / policy.relax);
  const state = step(pace.stateIntervalMs, avoid?.stateIntervalMs ?? 0);
  if (halfway && state > pace.stateIntervalMs * (1 - policy.settleShare))
    return { pace, calm: 0, overloaded };
  const kv = step(pace.kvFlushIntervalMs, avoid?.kvFlushIntervalMs ?? 0);
  return {
    pace: {
      stateIntervalMs: state <= policy.baseStateMs ? 0 : state,
      kvFlushIntervalMs: kv <= policy.baseKvMs ? 0 : kv,
    },
    calm: 0,
    overloaded,
  };
}
