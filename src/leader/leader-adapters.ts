/**
 * The adapters that differ between the static mode (cluster file) and Kubernetes, built in one
 * place from the config. Kubernetes-only parts are created only when asked for, so the static
 * mode never needs a kubeconfig.
 */
import { Redis } from 'ioredis';
import { StaticClusterSource, type ClusterSource } from '../discovery/index.js';
import type { Admission } from '../gateway/index.js';
import {
  InMemoryNodeOps,
  K8sClusterSource,
  K8sNodeOps,
  createKubeClients,
  loadKubeConfig,
  type NodeOps,
} from '../kube/index.js';
import { createRateLimitStore, createTrafficPolicy, trafficConfigFrom } from '../routing/index.js';
import {
  systemClock,
  toError,
  type ConfigOf,
  type Logger,
  type Registry,
} from '../shared/index.js';
import { KubeLeaderElection } from './kube-election.js';
import { StaticElection, type LeaderElection } from './election/election.js';
import type { LeaderConfigSpec } from './leader-config.js';

export type LeaderConfig = ConfigOf<LeaderConfigSpec>;

/** The leader's ports, filled by adapters. */
export interface LeaderAdapters {
  readonly source: ClusterSource;
  readonly election: LeaderElection;
  readonly admission: Admission;
  readonly nodeOps: NodeOps;
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
 * `limits` and `apiKeys` sections. Counters live in memory, or in Redis for several replicas.
 */
export function admissionFor(config: LeaderConfig, file: unknown, log: Logger): Admission {
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
  return createTrafficPolicy(traffic, {
    clock: systemClock,
    store: createRateLimitStore(config.traffic, redis === undefined ? {} : { redis }),
    onStoreError: (err) => log.warn({ err }, 'rate-limit store failed: admitting (fail open)'),
  });
}

/** The adapters for the configured mode. */
export function buildAdapters(
  config: LeaderConfig,
  file: unknown,
  log: Logger,
  registry: Registry,
): LeaderAdapters {
  const admission = admissionFor(config, file, log.child({ component: 'traffic' }));
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
      admission,
      nodeOps: nodeOpsFor(config),
    };
  }
  return {
    source: new StaticClusterSource({
      path: config.clusterFile,
      log: log.child({ component: 'discovery' }),
    }),
    election: new StaticElection(config.identity),
    admission,
    nodeOps: nodeOpsFor(config),
  };
}
