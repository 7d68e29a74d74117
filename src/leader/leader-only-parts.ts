/**
 * Runs the leader-only components (gateway, agent hub, controllers) for as long as this process
 * leads: they start when the election is won and stop the moment leadership is lost, which
 * rejects so the process exits non-zero (Kubernetes restarts the pod).
 */
import { AppError, type Logger, type Runnable } from '../shared/index.js';
import type { LeaderElection, Leadership } from './election/election.js';

/**
 * Starts the leader-only parts on each term won and stops them when it ends; rejects when
 * leadership is lost.
 */
export class LeaderOnlyParts implements Runnable {
  readonly name = 'leader-only';
  readonly #election: LeaderElection;
  readonly #parts: readonly Runnable[];
  readonly #log: Logger;
  readonly #onLeadership: (l: Leadership | undefined) => void;
  readonly #onNewLeader: ((identity: string) => void) | undefined;

  constructor(
    election: LeaderElection,
    parts: readonly Runnable[],
    log: Logger,
    onLeadership: (l: Leadership | undefined) => void,
    /** Told the identity of another process seen leading (the console's follower redirect). */
    onNewLeader?: (identity: string) => void,
  ) {
    this.#election = election;
    this.#parts = parts;
    this.#log = log;
    this.#onLeadership = onLeadership;
    this.#onNewLeader = onNewLeader;
  }

  run(signal: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      let running: Promise<unknown> = Promise.resolve();
      this.#election
        .run(signal, {
          onStartedLeading: (leadership) => {
            this.#log.info({ epoch: leadership.epoch }, 'became leader');
            this.#onLeadership(leadership);
            const both = AbortSignal.any([signal, leadership.signal]);
            running = Promise.all(this.#parts.map((p) => p.run(both)));
          },
          onStoppedLeading: (reason) => {
            this.#onLeadership(undefined);
            reject(new AppError('LEADER_LEASE_LOST', `lost leadership: ${reason}`));
          },
          onNewLeader: (identity) => {
            this.#log.info({ leader: identity }, 'another process leads');
            this.#onNewLeader?.(identity);
          },
        })
        .then(() => running)
        .then(() => resolve(), reject);
    });
  }
}
