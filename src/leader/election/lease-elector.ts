/**
 * Lease-based leader election over the LeaseStore port (STYLE.md §9, controller-runtime's
 * leaderelection). Every retry period it reads the record, asks {@link decideLease} what to do and
 * writes with a version guard. While leading, a watchdog aborts the Leadership signal the moment
 * the renew deadline passes without a successful renewal — even if a request is still hanging —
 * and calls onStoppedLeading; `run` then returns so the process exits non-zero. On a clean stop
 * (the run signal aborts) it stops the leader-only parts and releases the lease.
 */
import {
  AppError,
  ConfigError,
  hasCode,
  linkedSignal,
  sleep,
  toError,
  type Clock,
  type ConfigIssue,
  type Logger,
  type Rng,
} from '../../shared/index.js';
import type { LeaderElection, LeadershipHooks } from './election.js';
import { decideLease, type LeaseRecord } from './lease-decision.js';
import type { LeaseStore, StoredLease } from './lease-store.js';

/**
 * The store, this candidate's identity and the election timings (defaults: controller-runtime's).
 */
export interface LeaseElectorOptions {
  readonly store: LeaseStore;
  /** This candidate (the pod name on Kubernetes). */
  readonly identity: string;
  readonly log: Logger;
  /** How long a lease is valid without renewal. Default 15000 ms. */
  readonly leaseDurationMs?: number;
  /** A leader that cannot renew for this long stops leading. Default 10000 ms; < leaseDurationMs. */
  readonly renewDeadlineMs?: number;
  /** Pause between attempts (followers add up to 20% jitter). Default 2000 ms; < renewDeadlineMs. */
  readonly retryPeriodMs?: number;
  /** Reads the time for lease records and the renew watchdog; from the composition root. */
  readonly clock: Clock;
  /** Jitters the followers' retry period; from the composition root. */
  readonly rng: Rng;
}

interface Term {
  readonly controller: AbortController;
  readonly epoch: number;
  lastRenewMs: number;
  watchdog: NodeJS.Timeout | undefined;
}

/** Checks the election durations; returns every problem found. */
export function electionIssues(d: {
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
}): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  if (!(d.renewDeadlineMs < d.leaseDurationMs))
    issues.push({ path: 'kube.election.renewDeadlineMs', message: 'must be < leaseDurationMs' });
  if (!(d.retryPeriodMs < d.renewDeadlineMs))
    issues.push({ path: 'kube.election.retryPeriodMs', message: 'must be < renewDeadlineMs' });
  return issues;
}

/** Leader election on a Lease. Throws ConfigError at construction for inconsistent durations. */
export class LeaseElector implements LeaderElection {
  readonly name = 'lease-elector';
  readonly #options: Required<LeaseElectorOptions>;

  constructor(options: LeaseElectorOptions) {
    this.#options = {
      leaseDurationMs: 15_000,
      renewDeadlineMs: 10_000,
      retryPeriodMs: 2_000,
      ...options,
    };
    const issues = electionIssues(this.#options);
    if (issues.length > 0) throw new ConfigError(issues);
  }

  async run(signal: AbortSignal, hooks: LeadershipHooks): Promise<void> {
    const { store, identity, log, clock, renewDeadlineMs, retryPeriodMs } = this.#options;
    let term: Term | undefined;
    // Aborted when leadership is lost: wakes the loop out of sleeps and requests.
    const wake = new AbortController();
    // A function, not a property read: TypeScript would keep the loop condition's narrowing
    // across the awaits below.
    const stopped = (): boolean => signal.aborted || wake.signal.aborted;
    let observed = { key: '', atMs: 0 };
    let lastHolder: string | undefined;
    let stored: StoredLease | undefined;

    const stopLeading = (reason: string): void => {
      if (!term) return;
      clearTimeout(term.watchdog);
      term.controller.abort(new AppError('LEADER_LEASE_LOST', reason));
      log.error({ identity, epoch: term.epoch, reason }, 'lost leadership');
      term = undefined;
      wake.abort();
      hooks.onStoppedLeading(reason);
    };
    const armWatchdog = (t: Term): void => {
      clearTimeout(t.watchdog);
      const inMs = Math.max(0, t.lastRenewMs + renewDeadlineMs - clock.monotonicMs());
      t.watchdog = setTimeout(() => stopLeading('renew deadline passed'), inMs);
    };

    while (!stopped()) {
      const attemptMs = clock.monotonicMs();
      // A leader's request may not outlive its renew deadline.
      const budgetMs = term
        ? Math.max(1, Math.ceil(term.lastRenewMs + renewDeadlineMs - attemptMs))
        : renewDeadlineMs;
      // Not AbortSignal.any on the process signal: that leaks per call on Node 20 (linked-signal.ts).
      const callLink = linkedSignal([signal, wake.signal], budgetMs);
      const callSignal = callLink.signal;
      try {
        stored = await store.get({ signal: callSignal });
        const key = stored ? JSON.stringify(stored.record) : 'absent';
        if (key !== observed.key) observed = { key, atMs: clock.monotonicMs() };
        const holder = stored?.record.holderIdentity;
        if (holder && holder !== identity && holder !== lastHolder) hooks.onNewLeader?.(holder);
        lastHolder = holder;
        const decision = decideLease({
          record: stored?.record,
          identity,
          nowMs: clock.monotonicMs(),
          observedAtMs: observed.atMs,
          leaseDurationMs: this.#options.leaseDurationMs,
          renewDeadlineMs,
          leading: term,
        });
        switch (decision.kind) {
          case 'renew': {
            const t = term;
            if (!t || !stored) break;
            const { acquireTimeMs, leaseTransitions } = stored.record;
            stored = await store.update(
              this.#record(acquireTimeMs, leaseTransitions),
              stored.version,
              {
                signal: callSignal,
              },
            );
            // The watchdog may have fired while the write was in flight: then it stays lost.
            if (term === t) {
              t.lastRenewMs = attemptMs;
              armWatchdog(t);
            }
            break;
          }
          case 'acquire': {
            const record = this.#record(clock.now(), decision.leaseTransitions);
            stored =
              decision.create || !stored
                ? await store.create(record, { signal: callSignal })
                : await store.update(record, stored.version, { signal: callSignal });
            observed = { key: JSON.stringify(stored.record), atMs: attemptMs };
            lastHolder = identity;
            const t: Term = {
              controller: new AbortController(),
              epoch: decision.leaseTransitions,
              lastRenewMs: attemptMs,
              watchdog: undefined,
            };
            term = t;
            armWatchdog(t);
            log.info({ identity, epoch: t.epoch }, 'became leader');
            hooks.onStartedLeading({ identity, epoch: t.epoch, signal: t.controller.signal });
            break;
          }
          case 'wait':
            break;
          case 'lost':
            stopLeading(
              `lease ${decision.reason}${decision.holder ? ` (holder ${decision.holder})` : ''}`,
            );
            break;
        }
      } catch (err) {
        if (stopped()) break;
        const level = hasCode(err, 'K8S_CONFLICT') ? 'debug' : 'warn';
        log[level](
          { identity, err: toError(err), leading: term !== undefined },
          'lease attempt failed',
        );
      } finally {
        callLink.dispose();
      }
      if (stopped()) break;
      const jitter = term ? 1 : 1 + this.#options.rng.next() * 0.2;
      const sleepLink = linkedSignal([signal, wake.signal]);
      await sleep(retryPeriodMs * jitter, sleepLink.signal);
      sleepLink.dispose();
    }
    if (term) await this.#release(term, stored);
  }

  #record(acquireTimeMs: number | undefined, leaseTransitions: number): LeaseRecord {
    return {
      holderIdentity: this.#options.identity,
      leaseDurationSeconds: Math.ceil(this.#options.leaseDurationMs / 1000),
      acquireTimeMs,
      renewTimeMs: this.#options.clock.now(),
      leaseTransitions,
    };
  }

  /** Clean stop: the leader-only parts stop first, then the lease is handed back at once. */
  async #release(term: Term, stored: StoredLease | undefined): Promise<void> {
    const { store, identity, log, clock } = this.#options;
    clearTimeout(term.watchdog);
    term.controller.abort(new AppError('LEADER_LEASE_LOST', 'released on shutdown'));
    if (stored?.record.holderIdentity !== identity) return;
    const released: LeaseRecord = {
      holderIdentity: '',
      leaseDurationSeconds: 1,
      acquireTimeMs: clock.now(),
      renewTimeMs: clock.now(),
      leaseTransitions: stored.record.leaseTransitions,
    };
    try {
      await store.update(released, stored.version, {
        signal: AbortSignal.timeout(this.#options.renewDeadlineMs),
      });
      log.info({ identity, epoch: term.epoch }, 'released the lease');
    } catch (err) {
      log.warn({ identity, err: toError(err) }, 'could not release the lease; it will expire');
    }
  }
}
