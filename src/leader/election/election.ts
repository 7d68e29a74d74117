/**
 * The leader-election port. The static adapter (one configured leader) is here; the Lease
 * adapter (coordination.k8s.io/v1) implements the same port on Kubernetes.
 */

/** What a process learns when it wins: its epoch guards every command it sends (DESIGN.md §1). */
export interface Leadership {
  readonly identity: string;
  /** Monotonic across leader changes (the Lease's leaseTransitions). */
  readonly epoch: number;
  /** Aborts the moment leadership is lost; leader-only parts run under it. */
  readonly signal: AbortSignal;
}

/** What the election tells the leader: a term won, a term lost, another leader seen. */
export interface LeadershipHooks {
  /** Called once per term after winning. */
  onStartedLeading(leadership: Leadership): void;
  /** Called when a held lease is lost (not on a clean stop). The process should exit non-zero. */
  onStoppedLeading(reason: string): void;
  /** Called when another identity is observed holding the lease. */
  onNewLeader?(identity: string): void;
}

/**
 * The port every election implements (Lease on Kubernetes, static otherwise): campaign until
 * stopped.
 */
export interface LeaderElection {
  readonly name: string;
  /** Campaigns until `signal` aborts; on a clean stop it releases what it holds. */
  run(signal: AbortSignal, hooks: LeadershipHooks): Promise<void>;
}

/** The single configured leader: it leads at once, with epoch 1, until stopped. */
export class StaticElection implements LeaderElection {
  readonly name = 'static-election';
  readonly #identity: string;

  constructor(identity: string) {
    this.#identity = identity;
  }

  run(signal: AbortSignal, hooks: LeadershipHooks): Promise<void> {
    hooks.onStartedLeading({ identity: this.#identity, epoch: 1, signal });
    return new Promise((resolve) => {
      if (signal.aborted) resolve();
      else signal.addEventListener('abort', () => resolve(), { once: true });
    });
  }
}
