/**
 * The Lease election decision (STYLE.md §9), pure: given the Lease as last read, who I am, what
 * I believe about my own leadership and the local monotonic time, decide to acquire, renew, wait
 * or give up. Expiry is judged on *local observation* time (when this process first saw the
 * record as it now is), not on the record's renewTime, so clock skew between nodes cannot make
 * two leaders (client-go's leaderelection does the same).
 *
 * Safety argument: a leader stops acting once `renewDeadlineMs` has passed since it last sent a
 * renewal; a candidate takes over only after observing no change for `leaseDurationMs`, which
 * starts no earlier than that renewal was sent. With leaseDurationMs > renewDeadlineMs the old
 * leader has stopped before a new one starts, even when partitioned.
 */

/** The Lease's election fields, as the port sees them (times are wall-clock epoch ms). */
export interface LeaseRecord {
  /** Current holder; '' or undefined when released. */
  readonly holderIdentity: string | undefined;
  /** The holder's lease duration in seconds. */
  readonly leaseDurationSeconds: number | undefined;
  readonly acquireTimeMs: number | undefined;
  readonly renewTimeMs: number | undefined;
  /** How many times the holder changed; the leader's epoch. */
  readonly leaseTransitions: number;
}

/** Everything the decision needs. Times named `…Ms` here are local monotonic milliseconds. */
export interface LeaseDecisionInput {
  /** The Lease as just read; undefined when no Lease object exists. */
  readonly record: LeaseRecord | undefined;
  readonly identity: string;
  readonly nowMs: number;
  /** When this process first observed `record` in its current form. */
  readonly observedAtMs: number;
  /** My lease duration (used when the record carries none). */
  readonly leaseDurationMs: number;
  readonly renewDeadlineMs: number;
  /** Set while this process believes it leads: when it last sent a renewal that succeeded. */
  readonly leading: { readonly lastRenewMs: number } | undefined;
}

/** What to do now. */
export type LeaseDecision =
  /** Take the lease: create it (none exists) or write myself as holder with `leaseTransitions`. */
  | { readonly kind: 'acquire'; readonly create: boolean; readonly leaseTransitions: number }
  /** I lead and the record says so: write a fresh renewTime. */
  | { readonly kind: 'renew' }
  /** Someone else holds an unexpired lease. */
  | { readonly kind: 'wait'; readonly holder: string; readonly expiresInMs: number }
  /** I believed I led but must stop now. */
  | {
      readonly kind: 'lost';
      readonly reason: 'renew-deadline' | 'taken' | 'released' | 'deleted';
      readonly holder: string | undefined;
    };

/** True when a leader has gone `renewDeadlineMs` without a successful renewal. */
export function renewDeadlinePassed(
  lastRenewMs: number,
  nowMs: number,
  renewDeadlineMs: number,
): boolean {
  return nowMs - lastRenewMs >= renewDeadlineMs;
}

/** Decides the next election step. Pure and total: every input maps to one decision. */
export function decideLease(input: LeaseDecisionInput): LeaseDecision {
  const { record, identity, nowMs, leading } = input;
  if (leading && renewDeadlinePassed(leading.lastRenewMs, nowMs, input.renewDeadlineMs))
    return { kind: 'lost', reason: 'renew-deadline', holder: record?.holderIdentity };
  if (record === undefined)
    return leading
      ? { kind: 'lost', reason: 'deleted', holder: undefined }
      : { kind: 'acquire', create: true, leaseTransitions: 0 };
  const holder = record.holderIdentity ?? '';
  const next = record.leaseTransitions + 1;
  if (holder === identity)
    // Holder is me but I am not leading: an earlier life of this identity (a restarted
    // container). Take it as a new term so the epoch still moves forward.
    return leading ? { kind: 'renew' } : { kind: 'acquire', create: false, leaseTransitions: next };
  if (holder === '')
    return leading
      ? { kind: 'lost', reason: 'released', holder: undefined }
      : { kind: 'acquire', create: false, leaseTransitions: next };
  if (leading) return { kind: 'lost', reason: 'taken', holder };
  const durationMs =
    record.leaseDurationSeconds !== undefined && record.leaseDurationSeconds > 0
      ? record.leaseDurationSeconds * 1000
      : input.leaseDurationMs;
  const expiresInMs = input.observedAtMs + durationMs - nowMs;
  return expiresInMs <= 0
    ? { kind: 'acquire', create: false, leaseTransitions: next }
    : { kind: 'wait', holder, expiresInMs };
}
