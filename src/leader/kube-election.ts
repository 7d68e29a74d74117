/**
 * Leader election on Kubernetes: the Lease elector, plus the role label that makes the gateway
 * and control Services select the leader's pod. A restarted container keeps its labels, so a
 * candidate first marks itself a follower.
 */
import { type KubeConfigValues } from '../kube/index.js';
import { PodLabeler, type KubeClients } from '../kube/adapters/index.js';
import { toError, type Clock, type Logger, type Rng } from '../shared/index.js';
import { K8sLeaseStore, withRoleLabel } from './election/adapters/index.js';
import { LeaseElector, type LeaderElection, type LeadershipHooks } from './election/index.js';

/** What the Kubernetes election is built from; the clock and random source come from the root. */
export interface KubeLeaderElectionOptions {
  readonly clients: KubeClients;
  readonly kube: KubeConfigValues;
  /** This candidate: the pod name. */
  readonly identity: string;
  readonly log: Logger;
  readonly clock: Clock;
  readonly rng: Rng;
}

/** Leader election on a Kubernetes Lease that also keeps the leader's role label on its pod. */
export class KubeLeaderElection implements LeaderElection {
  readonly name = 'kube-leader-election';
  readonly #elector: LeaseElector;
  readonly #labeler: PodLabeler;
  readonly #log: Logger;
  readonly #rng: Rng;

  constructor(options: KubeLeaderElectionOptions) {
    const { clients, kube, identity, log, clock, rng } = options;
    this.#log = log;
    this.#rng = rng;
    this.#elector = new LeaseElector({
      store: new K8sLeaseStore({
        clients,
        namespace: kube.namespace,
        name: kube.election.leaseName,
        requestTimeoutMs: kube.requestTimeoutMs,
      }),
      identity,
      log,
      leaseDurationMs: kube.election.leaseDurationMs,
      renewDeadlineMs: kube.election.renewDeadlineMs,
      retryPeriodMs: kube.election.retryPeriodMs,
      clock,
      rng,
    });
    this.#labeler = new PodLabeler({
      clients,
      namespace: kube.namespace,
      podName: identity,
      requestTimeoutMs: kube.requestTimeoutMs,
    });
  }

  async run(signal: AbortSignal, hooks: LeadershipHooks): Promise<void> {
    await this.#labeler.markFollower({ signal }).catch((err: unknown) => {
      this.#log.warn({ err: toError(err) }, 'could not label this pod follower at start');
    });
    await this.#elector.run(
      signal,
      withRoleLabel(hooks, { labeler: this.#labeler, log: this.#log, rng: this.#rng }),
    );
  }
}
