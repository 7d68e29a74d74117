/**
 * The adapters that differ between the static mode (cluster file) and Kubernetes, built in one
 * place from the config. Kubernetes-only parts are created only when asked for, so the static
 * mode never needs a kubeconfig.
 */
import { Redis } from 'ioredis';
import {
  StaticClusterSource,
  type ClusterSource,
  type CustomResource,
} from '../discovery/index.js';
import type { Admission } from '../gateway/index.js';
import {
  InMemoryNodeOps,
  K8sClusterSource,
  K8sNodeOps,
  K8sTokenReviewApi,
  createKubeClients,
  loadKubeConfig,
  type NodeOps,
} from '../kube/index.js';
import {
  createRateLimitStore,
  createTrafficPolicy,
  limitsWithResources,
  trafficConfigFrom,
} from '../routing/index.js';
import {
  systemClock,
  toError,
  type ConfigOf,
  type Logger,
  type Registry,
} from '../shared/index.js';
import type { AgentAuthenticator } from './agent-authenticator.js';
import { StaticAgentAuthenticator } from './adapters/static-agent-authenticator.js';
import { TokenReviewAgentAuthenticator } from './adapters/token-review-agent-authenticator.js';
import { KubeLeaderElection } from './kube-election.js';
import { StaticElection, type LeaderElection } from './election/election.js';
import type { LeaderConfigSpec } from './leader-config.js';

export type LeaderConfig = ConfigOf<LeaderConfigSpec>;

/** The leader's ports, filled by adapters. */
export interface LeaderAdapters {
  readonly source: ClusterSource;
  readonly election: LeaderElection;
  readonly admission: Admission;
  /** Lays the RateLimitPolicy resources discovery reports over the config file's limits. */
  readonly applyResources: (resources: readonly CustomResource[]) => void;
  readonly nodeOps: NodeOps;
  readonly authenticator: AgentAuthenticator;
}

/** How agents prove their node: per-node tokens from the secret, or TokenReview. */
export function agentAuthenticatorFor(config: LeaderConfig): AgentAuthenticator {
  const { agents } = config;
  if (agents.auth === 'static') return new StaticAgentAuthenticator(agents.secret);
  return new TokenReviewAgentAuthenticator({
    api: new K8sTokenReviewApi(createKubeClients(loadKubeConfig()), config.kube.requestTimeoutMs),
    audience: agents.audience,
    username: agents.serviceAccount,
    cacheTtlMs: agents.reviewCacheMs,
    cacheMax: agents.reviewCacheMax,
  });
}

/** Node operations for GPU remediation: the Kubernetes API, or memory (decisions logged only). */
export function nodeOpsFor(config: LeaderConfig): NodeOps {
  const configured = config.gpuRemediation.nodeOps;
  const mode =
    configured === 'auto'
      ? config.discovery === 'kubernetes'
        ? 'kubernetes'
        : 'memory'
      : configured;
  if (mode === 'memory') return new InMemoryNodeOps();
  return new K8sNodeOps({
    clients: createKubeClients(loadKubeConfig()),
    requestTimeoutMs: config.kube.requestTimeoutMs,
    eventsNamespace: config.kube.eventsNamespace,
    component: 'infernode-leader',
    instance: config.identity,
  });
}

/**
 * Rate limits, quotas and API keys from the config: the `traffic.*` knobs and the config file's
 * `limits` and `apiKeys` sections, with RateLimitPolicy resources laid over the limits as
 * discovery reports them. Counters live in memory, or in Redis for several replicas.
 */
export function admissionFor(
  config: LeaderConfig,
  file: unknown,
  log: Logger,
): Pick<LeaderAdapters, 'admission' | 'applyResources'> {
  const traffic = trafficConfigFrom(config.traffic, file);
  const redis =
    config.traffic.store === 'redis'
      ? new Redis(config.traffic.redisUrl, {
          commandTimeout: config.traffic.redisCommandTimeoutMs,
          maxRetriesPerRequest: 1,
          enableOfflineQueue: false,
        })
      : undefined;
  redis?.on('error', (err: unknown) => log.warn({ err: toError(err) }, 'redis connection error'));
  const policy = createTrafficPolicy(traffic, {
    clock: systemClock,
    store: createRateLimitStore(config.traffic, redis === undefined ? {} : { redis }),
    onStoreError: (err) => log.warn({ err }, 'rate-limit store failed: admitting (fail open)'),
  });
  let reported = '';
  const applyResources = (resources: readonly CustomResource[]): void => {
    const { config: merged, issues } = limitsWithResources(traffic, resources);
    policy.setLimits(merged);
    // Discovery re-reports unchanged resources; say what is wrong once, not on every change.
    const text = issues.map((i) => `${i.path}: ${i.message}`).join('; ');
    if (text !== '' && text !== reported) log.warn({ issues: text }, 'RateLimitPolicy left out');
    reported = text;
  };
  return { admission: policy, applyResources };
}

/** The adapters for the configured mode. */
export function buildAdapters(
  config: LeaderConfig,
  file: unknown,
  log: Logger,
  registry: Registry,
): LeaderAdapters {
  const traffic = admissionFor(config, file, log.child({ component: 'traffic' }));
  if (config.discovery === 'kubernetes') {
    const clients = createKubeClients(loadKubeConfig());
    const { kube } = config;
    return {
      source: new K8sClusterSource({
        clients,
        log: log.child({ component: 'discovery' }),
        namespaces: kube.watchNamespaces,
        requestTimeoutMs: kube.requestTimeoutMs,
        supervisor: { registry, watch: { timeoutSeconds: kube.watchTimeoutSeconds } },
      }),
      election: new KubeLeaderElection(
        clients,
        kube,
        config.identity,
        log.child({ component: 'election' }),
      ),
      ...traffic,
      nodeOps: nodeOpsFor(config),
      authenticator: agentAuthenticatorFor(config),
    };
  }
  return {
    source: new StaticClusterSource({
      path: config.clusterFile,
      log: log.child({ component: 'discovery' }),
    }),
    election: new StaticElection(config.identity),
    ...traffic,
    nodeOps: nodeOpsFor(config),
    authenticator: agentAuthenticatorFor(config),
  };
}
