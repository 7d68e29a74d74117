/**
 * The agent's discovery on Kubernetes. main.ts imports this file only when discovery is
 * `kubernetes`, since it loads the Kubernetes client.
 */
import { resolveDiscoveryScope } from '../kube/index.js';
import {
  K8sClusterSource,
  createKubeClients,
  loadKubeConfig,
  type KubeClients,
} from '../kube/adapters/index.js';
import { systemClock, systemRng, type Logger, type Registry } from '../shared/index.js';
import type { AgentConfig } from './agent-config.js';

/**
 * The agent's discovery on Kubernetes: the engine pods bound to its node, in the same scope as
 * the leader's (an agent reports only pods the leader would trust). Throws ConfigError for a
 * bad scope.
 */
export function kubeSourceFor(
  config: AgentConfig,
  clients: KubeClients,
  log: Logger,
  registry: Registry,
): K8sClusterSource {
  return new K8sClusterSource({
    clients,
    log: log.child({ component: 'discovery' }),
    node: config.node,
    scope: resolveDiscoveryScope(config.kube),
    requestTimeoutMs: config.kube.requestTimeoutMs,
    supervisor: {
      registry,
      clock: systemClock,
      rng: systemRng,
      watch: { timeoutSeconds: config.kube.watchTimeoutSeconds },
    },
  });
}

/** The agent's discovery over the process's own clients (service account or kubeconfig). */
export function ownKubeSource(
  config: AgentConfig,
  log: Logger,
  registry: Registry,
): K8sClusterSource {
  return kubeSourceFor(config, createKubeClients(loadKubeConfig()), log, registry);
}
