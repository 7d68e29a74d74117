/**
 * The console contract's routing section (see console-snapshot.ts): request counters and the
 * recent decisions with their scored candidates. No prompt text, no user data.
 */

/** One candidate the router scored for a request. */
export interface ConsoleCandidate {
  readonly engine: string;
  /** Its fused score over the strategy mix, 0–1, higher is better; null when it was the only candidate (nothing is scored). */
  readonly score: number | null;
}

/** One routing decision (no prompt text, no user data). */
export interface ConsoleRoutingDecision {
  readonly atMs: number;
  readonly model: string;
  readonly strategy: string;
  /** The engine picked; null when none could take it (the request was held or refused). */
  readonly picked: string | null;
  /** Why, in a few words (e.g. "best score of 3, cached prefix", "only ready engine"). */
  readonly reason: string;
  /** The routable candidates with their scores, best first; at most 16. */
  readonly candidates: readonly ConsoleCandidate[];
}

/** Where requests went, since the leader started (counters). */
export interface ConsoleRouting {
  readonly requestsTotal: number;
  /** Strategy name → requests routed with it. */
  readonly byStrategy: Readonly<Record<string, number>>;
  /** Engine id → requests routed to it. */
  readonly byEngine: Readonly<Record<string, number>>;
  /**
   * Share of prefix-aware choices (prefix-cache in the mix, two or more candidates) whose winner
   * held a cached prefix of the prompt by the gateway's prefix index, 0–1; null before any.
   */
  readonly prefixHitRatio: number | null;
  /** The most recent decisions, newest first; at most 200. */
  readonly recent: readonly ConsoleRoutingDecision[];
}
