/**
 * The adapters that differ between the static mode (cluster file) and Kubernetes, built in one
 * place from the config. Kubernetes-only parts are created only when asked for, so the static
 * mode never needs a kubeconfig.
 */
import { type ClusterSource, type CustomResource } from '../discovery/index.js';
import { StaticClusterSource } from '../discovery/adapters/index.js';
import type { TrafficPolicy } from '../traffic/index.js';
import type { StatusStore } from '../controllers/index.js';
import type { PodMetricsPort } from '../autoscaling/index.js';
import {
  InMemoryNodeOps,
  K8sResourceFinalizers,
  K8sResourceStatusStore,
  K8sPodMetrics,
  K8sScaleClient,
  K8sFleetClusterApi,
  type ScaleClient,
  K8sSecretReader,
  type ResourceFinalizers,
  type SecretReader,
  K8sClusterSource,
  K8sNodeOps,
  K8sSecretWatch,
  K8sTokenReviewApi,
  createKubeClients,
  loadKubeConfig,
  resolveDiscoveryScope,
  type KubeClients,
  type NodeOps,
  type SupervisorTuning,
} from '../kube/index.js';
import {
  systemClock,
  systemRng,
  type Clock,
  type ConfigOf,
  type Logger,
  type Registry,
  type Rng,
  type Runnable,
} from '../shared/index.js';
import type { AgentAuthenticator } from './agent-authenticator.js';
import { StaticAgentAuthenticator } from './adapters/static-agent-authenticator.js';
import { TokenReviewAgentAuthenticator } from './adapters/token-review-agent-authenticator.js';
import { KubeLeaderElection } from './kube-election.js';
import { StaticElection, type LeaderElection } from './election/election.js';
import type { LeaderConfigSpec } from './leader-config.js';
import { admissionFor, type TrafficAdmission } from './traffic-admission.js';
import { StaticResourceStatuses } from './static-statuses.js';

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

/** How agents prove their node: per-node tokens from the secret, or TokenReview. */
export function agentAuthenticatorFor(
  config: LeaderConfig,
  clients?: KubeClients,
): AgentAuthenticator {
  const { agents } = config;
  if (agents.auth === 'static') return new StaticAgentAuthenticator(agents.secret);
  return new TokenReviewAgentAuthenticator({
    api: new K8sTokenReviewApi(
      clients ?? createKubeClients(loadKubeConfig()),
      config.kube.requestTimeoutMs,
    ),
    audience: agents.audience,
    username: agents.serviceAccount,
    cacheTtlMs: agents.reviewCacheMs,
    cacheMax: agents.reviewCacheMax,
  });
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

/**
 * Node operations for GPU remediation: the Kubernetes API, or memory (decisions logged only).
 * `clients` default to the process's own (service account or kubeconfig).
 */
export function nodeOpsFor(config: LeaderConfig, clock: Clock, clients?: KubeClients): NodeOps {
  const configured = config.gpuRemediation.nodeOps;
  const mode =
    configured === 'auto'
      ? config.discovery === 'kubernetes'
        ? 'kubernetes'
        : 'memory'
      : configured;
  if (mode === 'memory') return new InMemoryNodeOps();
  return new K8sNodeOps({
    clients: clients ?? createKubeClients(loadKubeConfig()),
    requestTimeoutMs: config.kube.requestTimeoutMs,
    eventsNamespace: config.kube.eventsNamespace || config.kube.namespace,
    component: 'infernode-leader',
    instance: config.identity,
    clock,
  });
}

/** The adapters for the configured mode, built over the root's clients, clock and random source. */
export function buildAdapters(
  config: LeaderConfig,
  file: unknown,
  log: Logger,
  registry: Registry,
  roots: AdapterRoots = {},
): LeaderAdapters {
  const { kubeClients, clock = systemClock, rng = systemRng } = roots;
  const traffic = admissionFor(config, file, log.child({ component: 'traffic' }), registry);
  const { applyApiKeysSecret, ...admission } = traffic;
  if (config.discovery === 'kubernetes') {
    const clients = kubeClients ?? createKubeClients(loadKubeConfig());
    const { kube } = config;
    const supervisor = {
      registry,
      clock,
      rng,
      watch: { timeoutSeconds: kube.watchTimeoutSeconds },
    };
    return {
      source: new K8sClusterSource({
        clients,
        log: log.child({ component: 'discovery' }),
        scope: resolveDiscoveryScope(kube),
        requestTimeoutMs: kube.requestTimeoutMs,
        supervisor,
      }),
      election: new KubeLeaderElection({
        clients,
        kube,
        identity: config.identity,
        log: log.child({ component: 'election' }),
        clock,
        rng,
      }),
      ...admission,
      nodeOps: nodeOpsFor(config, clock, clients),
      watchers: apiKeysWatch(config, clients, applyApiKeysSecret, log, supervisor),
      authenticator: agentAuthenticatorFor(config, clients),
      resourceStatus: (plural) =>
        new K8sResourceStatusStore({ clients, plural, requestTimeoutMs: kube.requestTimeoutMs }),
      finalizers: (plural) =>
        new K8sResourceFinalizers({ clients, plural, requestTimeoutMs: kube.requestTimeoutMs }),
      secrets: new K8sSecretReader({ clients, requestTimeoutMs: kube.requestTimeoutMs }),
      staticStatuses: undefined,
      scale: new K8sScaleClient({ clients, requestTimeoutMs: kube.requestTimeoutMs }),
      podMetrics: new K8sPodMetrics({ clients, requestTimeoutMs: kube.requestTimeoutMs }),
      fleetApi: new K8sFleetClusterApi({
        clients,
        namespaces: resolveDiscoveryScope(kube).namespaces,
        requestTimeoutMs: kube.requestTimeoutMs,
        log: log.child({ component: 'fleet-cluster-api' }),
        supervisor,
      }),
    };
  }
  const staticStatuses = new StaticResourceStatuses();
  return {
    source: new StaticClusterSource({
      path: config.clusterFile,
      log: log.child({ component: 'discovery' }),
    }),
    election: new StaticElection(config.identity),
    ...admission,
    nodeOps: nodeOpsFor(config, clock),
    watchers: [],
    authenticator: agentAuthenticatorFor(config),
    resourceStatus: (_plural, kind) => staticStatuses.storeFor(kind),
    finalizers: undefined,
    secrets: undefined,
    staticStatuses,
    scale: undefined,
    podMetrics: undefined,
    fleetApi: undefined,
  };
}

/** The watch on the API keys Secret (`kube.apiKeysSecret`; none when that is empty). */
function apiKeysWatch(
  config: LeaderConfig,
  clients: KubeClients,
  apply: TrafficAdmission['applyApiKeysSecret'],
  log: Logger,
  supervisor: SupervisorTuning,
): Runnable[] {
  const { namespace, apiKeysSecret, requestTimeoutMs } = config.kube;
  if (apiKeysSecret === '') return [];
  return [
    new K8sSecretWatch({
      clients,
      namespace,
      name: apiKeysSecret,
      log: log.child({ component: 'api-keys' }),
      requestTimeoutMs,
      onChange: apply,
      supervisor,
    }),
  ];
}
