/**
 * The Kubernetes part of the leader's and agent's configuration, as a spec the lead composes
 * under `kube` (so the keys read `kube.namespace`, `kube.requestTimeoutMs`, …). Env names follow
 * the process prefix (INFERNODE_LEADER_KUBE_REQUEST_TIMEOUT_MS), except the namespace, which comes
 * from the downward API's POD_NAMESPACE. The election durations must satisfy
 * retryPeriodMs < renewDeadlineMs < leaseDurationMs: `electionIssues` (src/leader/election)
 * reports violations for the config error, and LeaseElector refuses them.
 */
import { int, list, str, type ConfigOf } from '../shared/index.js';

const positive = { min: 1 };

export const kubeConfigSpec = {
  namespace: str(
    'default',
    'namespace of this pod: the default discovery scope; holds the leader Lease, role label and API keys Secret',
    {
      env: 'POD_NAMESPACE',
    },
  ),
  watchNamespaces: list(
    [],
    'namespaces whose engine pods (and, for the leader, custom resources) are watched; empty = this pod’s namespace only; * = all namespaces',
  ),
  requireLabels: list(
    [],
    'key=value labels an engine pod must also carry to be discovered (e.g. infernode.io/serving=true)',
  ),
  requireOwnerKinds: list(
    [],
    'if set, an engine pod must have a controller owner of one of these kinds (e.g. ReplicaSet,StatefulSet,LeaderWorkerSet)',
  ),
  apiKeysSecret: str(
    'infernode-api-keys',
    'Secret in this pod’s namespace holding gateway API keys (key keys.yaml), watched by the leader; empty = none',
  ),
  requestTimeoutMs: int(10_000, 'bound of one Kubernetes API request, ms', positive),
  watchTimeoutSeconds: int(
    300,
    'server-side timeout asked of each watch, s (a silent watch is dropped 30 s after it)',
    positive,
  ),
  eventsNamespace: str(
    '',
    'namespace of Events about nodes (cluster-scoped objects); empty = this pod’s namespace',
  ),
  election: {
    leaseName: str('infernode-leader', 'name of the coordination.k8s.io Lease'),
    leaseDurationMs: int(15_000, 'how long a lease is valid without renewal, ms', positive),
    renewDeadlineMs: int(
      10_000,
      'a leader that cannot renew for this long stops leading and exits, ms (< leaseDurationMs)',
      positive,
    ),
    retryPeriodMs: int(2_000, 'pause between election attempts, ms (< renewDeadlineMs)', positive),
  },
};

/** The validated values of {@link kubeConfigSpec}. */
export type KubeConfigValues = ConfigOf<typeof kubeConfigSpec>;
