/**
 * When a gateway replica judges agent reports fresh (pure). An agent's report turns stale after
 * `agents.staleAfterMs` (3 s), but a follower only hears reports through its leader's feed, and a
 * standby takes over only after `replicas.takeoverAfterMs` (6 s), then waits for the agents to
 * reconnect. Judged at "now", every engine would turn stale while the leader is dead and the
 * follower would fail every request. So while the feed is silent, freshness is judged at the
 * moment the feed stopped — what was fresh then stays fresh — for at most `holdMs`; after that
 * (or once a node reports again, which dates its report after that moment) it is judged at now.
 */

export interface FeedFreshness {
  readonly nowMs: number;
  /** A leader's feed is applied right now. */
  readonly fed: boolean;
  /** When the feed last carried anything (its close); undefined: never fed. */
  readonly lastFedMs: number | undefined;
  /** How long after the feed stopped last-known engines stay routable. */
  readonly holdMs: number;
}

/** The time freshness is judged at; see the file comment. */
export function freshnessJudgedAt(f: FeedFreshness): number {
  if (f.fed || f.lastFedMs === undefined) return f.nowMs;
  return f.nowMs - f.lastFedMs <= f.holdMs ? Math.min(f.lastFedMs, f.nowMs) : f.nowMs;
}
