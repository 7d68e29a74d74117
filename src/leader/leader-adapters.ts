/**
 * The ports that differ between the static mode (cluster file) and Kubernetes, as the leader's
 * wiring sees them. build-adapters.ts fills them from the config; the Kubernetes side is
 * kube-leader-adapters.ts, loaded only when the config asks for Kubernetes.
 */
import type { ClusterSource, CustomResource } from '../discovery/index.js';
import type { TrafficPolicy } from '../traffic/index.js';
import type { StatusStore } from '../controllers/index.js';
import type { PodMetricsPort } from '../autoscaling/index.js';
import type { NodeOps, ResourceFinalizers, ScaleClient, SecretReader } from '../kube/index.js';
import type { K8sFleetClusterApi, KubeClients } from '../kube/adapters/index.js';
import type { Clock, ConfigOf, Rng, Runnable } from '../shared/index.js';
import type { AgentAuthenticator } from './agent-authenticator.js';
import type { LeaderElection } from './election/election.js';
import type { LeaderConfigSpec } from './leader-config.js';
import type { StaticResourceStatuses } from './static-statuses.js';

/** The leader's validated configuration. */
export type LeaderConfig = ConfigOf<LeaderConfigSpec>;

/** The leader's ports, filled by adapters. */
export interface LeaderAdapters {
  readonly source: ClusterSource;
  readonly election: LeaderElection;
  readonly admission: TrafficPolicy;
  /** Lays the RateLimitPolicy resources discovery reports over the config file's limits. */
  readonly applyResources: (resources: readonly CustomResource[]) => void;
  readonly nodeOps: NodeOps;
  /** More parts to run beside discovery on every replica (the API keys Secret watch). */
  readonly watchers: readonly Runnable[];
  /** How agents prove which node they speak for. */
  readonly authenticator: AgentAuthenticator;
  /** Where controllers keep a kind's status: the status subresource, or memory (static). */
  readonly resourceStatus: <S>(plural: string, kind: string) => StatusStore<S>;
  /** Finalizers of a plural's objects (Kubernetes only). */
  readonly finalizers: ((plural: string) => ResourceFinalizers) | undefined;
  /** Secrets read on demand (Kubernetes only). */
  readonly secrets: SecretReader | undefined;
  /** Static mode: the in-memory statuses, synced with discovery by the root. */
  readonly staticStatuses: StaticResourceStatuses | undefined;
  /** Scale subresources (Kubernetes only; static mode scales the cluster file's groups). */
  readonly scale: ScaleClient | undefined;
  /** metrics.k8s.io for the PodAutoscaler's `resource` source (Kubernetes only). */
  readonly podMetrics: PodMetricsPort | undefined;
  /** RayClusters and revision records of RayClusterFleets (Kubernetes only; run it while leading). */
  readonly fleetApi: K8sFleetClusterApi | undefined;
}

/** What the Kubernetes adapters share from the composition root: its clients, clock and random source. */
export interface AdapterRoots {
  /** Default: the process's own (service account or kubeconfig); tests pass a fake API server's. */
  readonly kubeClients?: KubeClients;
  /**
   * The leader's main passes its clock and random source; every adapter below receives them from
   * here. Tests that leave them out get the system ones.
   */
  readonly clock?: Clock;
  readonly rng?: Rng;
}

/** Where node taints, Events and conditions go, with `auto` resolved. */
export function nodeOpsMode(config: LeaderConfig): 'kubernetes' | 'memory' {
  const configured = config.gpuRemediation.nodeOps;
  if (configured === 'kubernetes' || configured === 'memory') return configured;
  return config.discovery === 'kubernetes' ? 'kubernetes' : 'memory';
}
