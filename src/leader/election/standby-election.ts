/**
 * The static-discovery election for gateway replicas (`replicas.follow`, `replicas.rank`): with no
 * Lease to hold, a replica follows whichever of the others leads and leads itself only as
 * standby-decision.ts says (nobody leading for `takeoverAfterMs`, no live replica ranked before
 * it). A follower that does not lead still answers, with 503, so it counts as alive. Its epoch is
 * above every epoch it has seen, so agents ignore the commands of a leader it replaced. Local and
 * test clusters only: two partitioned processes can both lead, which the Lease prevents on
 * Kubernetes.
 */
import type { Clock } from '../../shared/index.js';
import type { LeaderElection, LeadershipHooks } from './election.js';
import { standbyDecision, standbyEpoch, type StandbyView } from './standby-decision.js';

/** What the feed client has seen (the rest of standby-decision's view). */
export type StandbyObservations = Pick<
  StandbyView,
  'lastLeaderMs' | 'lastLowerAnswerMs' | 'rounds'
> & {
  /** The highest epoch any leader's welcome carried; 0: none. */
  readonly highestEpoch: number;
};

export interface StandbyElectionOptions {
  readonly identity: string;
  /** How many replicas rank before this one. */
  readonly rank: number;
  readonly observed: () => StandbyObservations;
  readonly takeoverAfterMs: number;
  readonly clock: Clock;
  /** Waits between checks (`sleep` in production); rejects or resolves on abort. */
  readonly wait: (ms: number, signal: AbortSignal) => Promise<unknown>;
}

/** Follows until standby-decision says lead, then leads until stopped. */
export class StandbyElection implements LeaderElection {
  readonly name = 'standby-election';
  readonly #options: StandbyElectionOptions;

  constructor(options: StandbyElectionOptions) {
    this.#options = options;
  }

  async run(signal: AbortSignal, hooks: LeadershipHooks): Promise<void> {
    const { clock, rank, takeoverAfterMs } = this.#options;
    const startedMs = clock.now();
    const step = Math.max(20, Math.min(500, takeoverAfterMs / 4));
    for (;;) {
      const seen = this.#options.observed();
      const view = { ...seen, nowMs: clock.now(), startedMs, rank, takeoverAfterMs };
      if (standbyDecision(view) === 'lead') {
        hooks.onStartedLeading({
          identity: this.#options.identity,
          epoch: standbyEpoch(rank, seen.highestEpoch),
          signal,
        });
        break;
      }
      await this.#options.wait(step, signal).catch(() => undefined);
      if (signal.aborted) return;
    }
    await new Promise<void>((resolve) => {
      if (signal.aborted) resolve();
      else signal.addEventListener('abort', () => resolve(), { once: true });
    });
  }
}
