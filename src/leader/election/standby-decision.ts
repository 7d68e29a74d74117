/**
 * The static-discovery standby rule (pure): every replica follows all the others, so a replica
 * that restarts while another leads finds that leader and follows it instead of leading at once
 * (two leaders). A replica leads only when no leader has fed it for `takeoverAfterMs` and no live
 * replica ranked before it is still in the running; the first replica (rank 0) needs no wait at
 * start-up, only one round over the others that found nobody leading. Each new leader's epoch is
 * above every epoch it has seen, so epochs keep rising across takeovers and agents obey only the
 * newest leader.
 */

/** What the follower's feed client has seen, and when. */
export interface StandbyView {
  readonly nowMs: number;
  /** When this process started campaigning. */
  readonly startedMs: number;
  /** This replica's place: how many replicas rank before it. */
  readonly rank: number;
  readonly takeoverAfterMs: number;
  /** When a leading replica last fed this one (now while fed); undefined: never. */
  readonly lastLeaderMs: number | undefined;
  /** When a replica ranked before this one last answered at all; undefined: never. */
  readonly lastLowerAnswerMs: number | undefined;
  /** Full rounds over every other replica completed since start. */
  readonly rounds: number;
}

/** Follow (a leader feeds this one), wait (someone else should lead first) or lead. */
export type StandbyDecision = 'follow' | 'wait' | 'lead';

const within = (at: number | undefined, v: StandbyView): boolean =>
  at !== undefined && at >= v.startedMs && v.nowMs - at < v.takeoverAfterMs;

/** The rule; see the file comment. */
export function standbyDecision(v: StandbyView): StandbyDecision {
  if (within(v.lastLeaderMs, v)) return 'follow';
  if (v.rank > 0 && within(v.lastLowerAnswerMs, v)) return 'wait';
  // Fed once since start: the leader has been silent for takeoverAfterMs.
  if (v.lastLeaderMs !== undefined && v.lastLeaderMs >= v.startedMs) return 'lead';
  if (v.rank === 0) return v.rounds > 0 ? 'lead' : 'wait';
  return v.nowMs - v.startedMs >= v.takeoverAfterMs ? 'lead' : 'wait';
}

/** The epoch a replica takes when it leads: above its rank's and above every epoch seen. */
export function standbyEpoch(rank: number, highestEpochSeen: number): number {
  return Math.max(rank + 1, highestEpochSeen + 1);
}
