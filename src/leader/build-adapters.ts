/**
 * The leader's adapters for the configured mode, built in one place. The Kubernetes ones
 * (kube-leader-adapters.ts) are imported only when the config asks for Kubernetes, so a leader
 * on a cluster file never loads the Kubernetes client (~0.7 s and ~70 MiB) nor needs a kubeconfig.
 */
import { StaticClusterSource } from '../discovery/adapters/index.js';
import { InMemoryNodeOps } from '../kube/index.js';
import type { Logger, Registry } from '../shared/index.js';
import { StaticAgentAuthenticator } from './adapters/static-agent-authenticator.js';
import { StaticElection } from './election/election.js';
import {
  nodeOpsMode,
  type AdapterRoots,
  type LeaderAdapters,
  type LeaderConfig,
} from './leader-adapters.js';
import { StaticResourceStatuses } from './static-statuses.js';
import { admissionFor } from './traffic-admission.js';

/** True when some adapter the config names talks to the Kubernetes API. */
export function usesKubernetes(config: LeaderConfig): boolean {
  return (
    config.discovery === 'kubernetes' ||
    config.agents.auth !== 'static' ||
    nodeOpsMode(config) === 'kubernetes'
  );
}

/** The adapters for the configured mode, built over the root's clients, clock and random source. */
export async function buildAdapters(
  config: LeaderConfig,
  file: unknown,
  log: Logger,
  registry: Registry,
  roots: AdapterRoots = {},
): Promise<LeaderAdapters> {
  const traffic = await admissionFor(config, file, log.child({ component: 'traffic' }), registry);
  const kube = usesKubernetes(config) ? await import('./kube-leader-adapters.js') : undefined;
  if (kube !== undefined && config.discovery === 'kubernetes')
    return kube.kubeAdapters(config, traffic, log, registry, roots);
  // A cluster file with TokenReview or Kubernetes node operations: those two parts, no others.
  const kubeParts = kube?.clusterFileKubeParts(config, roots);
  const staticStatuses = new StaticResourceStatuses();
  return {
    source: new StaticClusterSource({
      path: config.clusterFile,
      log: log.child({ component: 'discovery' }),
    }),
    election: new StaticElection(config.identity),
    admission: traffic.admission,
    applyResources: traffic.applyResources,
    nodeOps: kubeParts?.nodeOps ?? new InMemoryNodeOps(),
    watchers: [],
    authenticator: kubeParts?.authenticator ?? new StaticAgentAuthenticator(config.agents.secret),
    resourceStatus: (_plural, kind) => staticStatuses.storeFor(kind),
    finalizers: undefined,
    secrets: undefined,
    staticStatuses,
    scale: undefined,
    podMetrics: undefined,
    fleetApi: undefined,
  };
}
