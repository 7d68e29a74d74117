/**
 * The leader's Kubernetes adapters: discovery from pods and custom resources, the Lease election,
 * node operations, the API keys Secret watch, TokenReview, statuses, finalizers, Secrets, scale,
 * pod metrics and RayClusters. build-adapters.ts imports this file only when the config asks for
 * Kubernetes, since it loads the Kubernetes client.
 */
import {
  K8sClusterSource,
  K8sFleetClusterApi,
  K8sNodeOps,
  K8sPodMetrics,
  K8sResourceFinalizers,
  K8sResourceStatusStore,
  K8sScaleClient,
  K8sSecretReader,
  K8sSecretWatch,
  K8sTokenReviewApi,
  createKubeClients,
  loadKubeConfig,
  type KubeClients,
  type SupervisorTuning,
} from '../kube/adapters/index.js';
import { InMemoryNodeOps, resolveDiscoveryScope, type NodeOps } from '../kube/index.js';
import {
  systemClock,
  systemRng,
  type Clock,
  type Logger,
  type Registry,
  type Runnable,
} from '../shared/index.js';
import { StaticAgentAuthenticator } from './adapters/static-agent-authenticator.js';
import { TokenReviewAgentAuthenticator } from './adapters/token-review-agent-authenticator.js';
import type { AgentAuthenticator } from './agent-authenticator.js';
import { KubeLeaderElection } from './kube-election.js';
import {
  nodeOpsMode,
  type AdapterRoots,
  type LeaderAdapters,
  type LeaderConfig,
} from './leader-adapters.js';
import type { TrafficAdmission } from './traffic-admission.js';

/** The root's clients, or the process's own (service account or kubeconfig). */
function clientsOf(roots: AdapterRoots): KubeClients {
  return roots.kubeClients ?? createKubeClients(loadKubeConfig());
}

/** Agents prove their node with their ServiceAccount token, checked by TokenReview. */
function tokenReviewAuthenticator(config: LeaderConfig, clients: KubeClients): AgentAuthenticator {
  const { agents } = config;
  return new TokenReviewAgentAuthenticator({
    api: new K8sTokenReviewApi(clients, config.kube.requestTimeoutMs),
    audience: agents.audience,
    username: agents.serviceAccount,
    cacheTtlMs: agents.reviewCacheMs,
    cacheMax: agents.reviewCacheMax,
  });
}

/** Node taints, Events and conditions through the Kubernetes API. */
function kubeNodeOps(config: LeaderConfig, clock: Clock, clients: KubeClients): NodeOps {
  return new K8sNodeOps({
    clients,
    requestTimeoutMs: config.kube.requestTimeoutMs,
    eventsNamespace: config.kube.eventsNamespace || config.kube.namespace,
    component: 'infernode-leader',
    instance: config.identity,
    clock,
  });
}

/** The Kubernetes parts a leader on a cluster file may still be configured to use. */
export function clusterFileKubeParts(
  config: LeaderConfig,
  roots: AdapterRoots,
): { nodeOps: NodeOps | undefined; authenticator: AgentAuthenticator | undefined } {
  const clients = clientsOf(roots);
  return {
    nodeOps:
      nodeOpsMode(config) === 'kubernetes'
        ? kubeNodeOps(config, roots.clock ?? systemClock, clients)
        : undefined,
    authenticator:
      config.agents.auth === 'static' ? undefined : tokenReviewAuthenticator(config, clients),
  };
}

/** Every adapter of a leader with Kubernetes discovery. */
export function kubeAdapters(
  config: LeaderConfig,
  traffic: TrafficAdmission,
  log: Logger,
  registry: Registry,
  roots: AdapterRoots,
): LeaderAdapters {
  const { clock = systemClock, rng = systemRng } = roots;
  const clients = clientsOf(roots);
  const { applyApiKeysSecret, ...admission } = traffic;
  const { kube } = config;
  const scope = resolveDiscoveryScope(kube);
  const supervisor = { registry, clock, rng, watch: { timeoutSeconds: kube.watchTimeoutSeconds } };
  const requestTimeoutMs = kube.requestTimeoutMs;
  return {
    source: new K8sClusterSource({
      clients,
      log: log.child({ component: 'discovery' }),
      scope,
      requestTimeoutMs,
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
    nodeOps:
      nodeOpsMode(config) === 'memory'
        ? new InMemoryNodeOps()
        : kubeNodeOps(config, clock, clients),
    watchers: apiKeysWatch(config, clients, applyApiKeysSecret, log, supervisor),
    authenticator:
      config.agents.auth === 'static'
        ? new StaticAgentAuthenticator(config.agents.secret)
        : tokenReviewAuthenticator(config, clients),
    resourceStatus: (plural) => new K8sResourceStatusStore({ clients, plural, requestTimeoutMs }),
    finalizers: (plural) => new K8sResourceFinalizers({ clients, plural, requestTimeoutMs }),
    secrets: new K8sSecretReader({ clients, requestTimeoutMs }),
    staticStatuses: undefined,
    scale: new K8sScaleClient({ clients, requestTimeoutMs }),
    podMetrics: new K8sPodMetrics({ clients, requestTimeoutMs }),
    fleetApi: new K8sFleetClusterApi({
      clients,
      namespaces: scope.namespaces,
      requestTimeoutMs,
      log: log.child({ component: 'fleet-cluster-api' }),
      supervisor,
    }),
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
