/**
 * The adapters that differ between the static mode (cluster file) and Kubernetes, built in one
 * place from the config. Kubernetes-only parts are created only when asked for, so the static
 * mode never needs a kubeconfig.
 */
import { StaticClusterSource, type ClusterSource } from '../discovery/index.js';
import { admitAll, type Admission } from '../gateway/index.js';
import {
  InMemoryNodeOps,
  K8sNodeOps,
  createKubeClients,
  loadKubeConfig,
  type NodeOps,
} from '../kube/index.js';
import type { ConfigOf, Logger } from '../shared/index.js';
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

/** The static mode: the cluster file, the single configured leader, admit-all. */
export function staticAdapters(config: LeaderConfig, log: Logger): LeaderAdapters {
  return {
    source: new StaticClusterSource({
      path: config.clusterFile,
      log: log.child({ component: 'discovery' }),
    }),
    election: new StaticElection(config.identity),
    admission: admitAll,
    nodeOps: nodeOpsFor(config),
  };
}
