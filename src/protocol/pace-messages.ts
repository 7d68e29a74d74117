/**
 * Pacing (issue #18): the leader asks its agents to report less often while it is overloaded, and
 * lifts the request when it recovers. At 1,000 nodes the agents' routine traffic (a state delta per
 * scrape, a KV batch per 100 ms) can outrun one leader process; unpaced, its event loop falls
 * seconds behind and gateway picks time out. Paced, routine reports slow down (fresher data is
 * worth less than a gateway that answers) while urgent ones (a failed GPU) still go at once.
 *
 * Only agents whose hello lists the `pace` feature get these messages: an agent from before them
 * would take an unknown message type for a broken leader and reconnect.
 *
 * An agent takes a changed pace at a random phase of the new gap (its next routine report waits
 * a uniform share of it): every agent hears the pace at about the same moment, and kept to their
 * old phases, all spread over one short period, they would report together once per gap.
 */
/** The hello feature that says the agent understands `pace`. */
export const PACE_FEATURE = 'pace';

/** Bounds of a pace (an agent clamps to them whatever the leader sends). */
export const PACE_LIMITS = {
  /** Longest gap the leader may ask for between two routine state deltas, ms. */
  maxStateIntervalMs: 10_000,
  /** Longest KV batch period the leader may ask for, ms. */
  maxKvFlushIntervalMs: 5_000,
} as const;

/** leader → agent: the shortest gaps between routine reports, until the next `pace`. */
export interface PaceMessage {
  readonly v: 1;
  readonly type: 'pace';
  /** Routine state deltas at most this often, ms (0: as the agent's own period). */
  readonly stateIntervalMs: number;
  /** KV batches at most this often, ms (0: as the agent's own flush interval). */
  readonly kvFlushIntervalMs: number;
}

/** Problem with a `pace` message, or undefined. */
export function checkPace(m: Record<string, unknown>): string | undefined {
  const ok = (v: unknown, max: number): boolean =>
    Number.isSafeInteger(v) && (v as number) >= 0 && (v as number) <= max;
  if (!ok(m.stateIntervalMs, PACE_LIMITS.maxStateIntervalMs))
    return `pace stateIntervalMs must be 0..${PACE_LIMITS.maxStateIntervalMs}`;
  if (!ok(m.kvFlushIntervalMs, PACE_LIMITS.maxKvFlushIntervalMs))
    return `pace kvFlushIntervalMs must be 0..${PACE_LIMITS.maxKvFlushIntervalMs}`;
  return undefined;
}
