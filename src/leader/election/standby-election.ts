/**
 * The static-discovery election for gateway replicas (`replicas.follow`): with no Lease to hold,
 * a follower leads once none of the replicas listed before it has answered for
 * `takeoverAfterMs` (a follower that does not lead still answers, with 503, so only the first
 * live replica of the list leads). Its epoch is its place in the list + 1, above every replica
 * before it, so agents ignore the commands of a leader it replaced. Local and test clusters
 * only: two partitioned processes can both lead, which the Lease prevents on Kubernetes.
 */
import type { Clock } from '../../shared/index.js';
import type { LeaderElection, LeadershipHooks } from './election.js';

export interface StandbyElectionOptions {
  readonly identity: string;
  /** How many replicas lead before this one (the length of `replicas.follow`). */
  readonly rank: number;
  /** When one of them last answered; undefined: never yet. */
  readonly lastAnswerMs: () => number | undefined;
  readonly takeoverAfterMs: number;
  readonly clock: Clock;
  /** Waits between checks (`sleep` in production); rejects or resolves on abort. */
  readonly wait: (ms: number, signal: AbortSignal) => Promise<unknown>;
}

/** Follows until the replicas before it are silent, then leads until stopped. */
export class StandbyElection implements LeaderElection {
  readonly name = 'standby-election';
  readonly #options: StandbyElectionOptions;

  constructor(options: StandbyElectionOptions) {
    this.#options = options;
  }

  /** True when nobody before this replica has answered for `takeoverAfterMs` since `sinceMs`. */
  shouldLead(sinceMs: number): boolean {
    const last = Math.max(this.#options.lastAnswerMs() ?? sinceMs, sinceMs);
    return this.#options.clock.now() - last >= this.#options.takeoverAfterMs;
  }

  async run(signal: AbortSignal, hooks: LeadershipHooks): Promise<void> {
    const startedMs = this.#options.clock.now();
    const step = Math.max(50, Math.min(500, this.#options.takeoverAfterMs / 4));
    while (!this.shouldLead(startedMs)) {
      await this.#options.wait(step, signal).catch(() => undefined);
      if (signal.aborted) return;
    }
    hooks.onStartedLeading({
      identity: this.#options.identity,
      epoch: this.#options.rank + 1,
      signal,
    });
    await new Promise<void>((resolve) => {
      if (signal.aborted) resolve();
      else signal.addEventListener('abort', () => resolve(), { once: true });
    });
  }
}
