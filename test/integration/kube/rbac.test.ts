/**
 * Least privilege, checked against the code: the leader's and the agent's real Kubernetes
 * adapters (built as their composition roots build them, with the default config) run against
 * the fake API server, which records every call in RBAC's terms under the ServiceAccount whose
 * token made it. Then, for each process, every recorded call must be allowed by the rules in
 * deploy/rbac (rendered as `kubectl apply -k deploy/` would), and every permission those rules
 * grant must be used by some recorded call: a grant no code uses fails the test, and so does a
 * call the manifests would deny.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentConfigSpec } from '../../../src/agent/index.js';
import { kubeSourceFor } from '../../../src/agent/kube-source.js';
import {
  GPU_HEALTHY_CONDITION,
  GPU_UNHEALTHY_TAINT,
  scaleTargetOf,
} from '../../../src/kube/index.js';
import { K8sScaleClient, createKubeClients } from '../../../src/kube/adapters/index.js';
import { buildAdapters, leaderConfigSpec } from '../../../src/leader/index.js';
import { createRegistry, loadConfig, silentLogger } from '../../../src/shared/index.js';
import { FakeKubeApiServer, type RecordedApiCall } from '../../helpers/kube-api-server.js';
import { loadCrds, loadRayClusterCrd } from '../../helpers/crds.js';
import { aNode, aPod, eventually } from '../../helpers/kube-builders.js';
import { kustomizeLite } from '../../helpers/kustomize-lite.js';
import {
  describePermission,
  grantsOf,
  isAllowed,
  permissionsOf,
  uses,
  type ApiRequestAttributes,
} from '../../helpers/rbac.js';

const NS = 'infernode-system';
const LEADER_SA = `system:serviceaccount:${NS}:infernode-leader`;
const AGENT_SA = `system:serviceaccount:${NS}:infernode-agent`;
const manifests = kustomizeLite(join(import.meta.dirname, '../../../deploy'));

/**
 * Granted for code that lands on another branch (agent identity: the leader checks an agent's
 * ServiceAccount token with a TokenReview and reads its pod to match the node). Each entry must
 * still be unused here; once that code is driven below, the test says to remove the entry.
 */
const PENDING: readonly Pick<ApiRequestAttributes, 'verb' | 'group' | 'resource'>[] = [
  { verb: 'create', group: 'authentication.k8s.io', resource: 'tokenreviews' },
  { verb: 'get', group: '', resource: 'pods' },
];
const isPending = (p: ApiRequestAttributes): boolean =>
  PENDING.some((e) => e.verb === p.verb && e.group === p.group && e.resource === p.resource);

let server: FakeKubeApiServer;
const stop = new AbortController();
const env = {
  INFERNODE_AGENT_TOKEN: 'agent-token-0123456789',
  POD_NAMESPACE: NS,
  NODE_NAME: 'gpu-1',
  POD_NAME: 'leader-0',
};

async function driveLeader(): Promise<void> {
  const config = loadConfig(leaderConfigSpec, 'LEADER', {
    env: {
      ...env,
      INFERNODE_LEADER_DISCOVERY: 'kubernetes',
      INFERNODE_LEADER_KUBE_ELECTION_LEASE_DURATION_MS: '1500',
      INFERNODE_LEADER_KUBE_ELECTION_RENEW_DEADLINE_MS: '1000',
      INFERNODE_LEADER_KUBE_ELECTION_RETRY_PERIOD_MS: '100',
    },
  });
  const clients = createKubeClients(server.kubeConfig('leader-token'));
  const adapters = await buildAdapters(config, {}, silentLogger(), createRegistry(), {
    kubeClients: clients,
  });
  for (const part of [adapters.source, ...adapters.watchers]) void part.run(stop.signal);
  let leading = false;
  void adapters.election.run(stop.signal, {
    onStartedLeading: () => (leading = true),
    onStoppedLeading: () => (leading = false),
  });
  await adapters.source.synced;
  await eventually(() => leading);
  // GPU remediation's calls: taint and untaint, the condition, an Event and its repeat.
  const { nodeOps } = adapters;
  await nodeOps.taintNode('gpu-1', GPU_UNHEALTHY_TAINT, {});
  await nodeOps.untaintNode('gpu-1', GPU_UNHEALTHY_TAINT, {});
  const condition = { type: GPU_HEALTHY_CONDITION, status: 'False', reason: 'Xid', message: 'x' };
  await nodeOps.setNodeCondition('gpu-1', { ...condition, status: 'False' }, {});
  const event = {
    involvedObject: { kind: 'Node', name: 'gpu-1' },
    reason: 'GpuXidError',
    message: 'Xid 79 on GPU 0',
    type: 'Warning',
  } as const;
  await nodeOps.recordEvent(event, {});
  await nodeOps.recordEvent(event, {});
  // The ModelAdapter controller's calls: finalizer, status read and write, a credentials Secret.
  const statuses = adapters.resourceStatus<{ phase?: string }>('modeladapters', 'ModelAdapter');
  await adapters
    .finalizers?.('modeladapters')
    .add(`${NS}/sql-lora`, 'infernode.io/model-adapter', {});
  const read = await statuses.read(`${NS}/sql-lora`, {});
  await statuses.write(`${NS}/sql-lora`, { phase: 'Pending' }, read!.version, {});
  await adapters.secrets?.read(NS, 'hf-token', {});
  // The KVCache controller's status read and write.
  const kvStatuses = adapters.resourceStatus<{ current?: number }>('kvcaches', 'KVCache');
  const kvRead = await kvStatuses.read(`${NS}/l1-cache`, {});
  await kvStatuses.write(`${NS}/l1-cache`, { current: 0 }, kvRead!.version, {});
  // The PodAutoscaler controller's status read and write.
  const paStatuses = adapters.resourceStatus<{ desiredScale?: number }>(
    'podautoscalers',
    'PodAutoscaler',
  );
  const paRead = await paStatuses.read(`${NS}/llama-pa`, {});
  await paStatuses.write(`${NS}/llama-pa`, { desiredScale: 1 }, paRead!.version, {});
  // The PodAutoscaler controller's scale calls on each kind it scales: read, then set replicas.
  const scale = new K8sScaleClient({ clients, requestTimeoutMs: 5000 });
  for (const ref of [
    { apiVersion: 'apps/v1', kind: 'Deployment', name: 'llama' },
    { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'llama-sts' },
    { apiVersion: 'infernode.io/v1alpha1', kind: 'RayClusterFleet', name: 'llama-fleet' },
  ]) {
    const target = scaleTargetOf(ref, NS);
    await scale.getScale(target, {});
    await scale.setReplicas(target, 2, {});
    await scale.templateModel(target, {});
  }
  // The `resource` metric source: the target's PodMetrics (metrics.k8s.io) and its pods' requests.
  await adapters.podMetrics?.list(NS, 'app=llama', stop.signal);
  // The RayClusterFleet controller's calls: its informers, a cluster created and deleted, a
  // revision written, renumbered and pruned, the fleet patched, its status read and written.
  const fleetApi = adapters.fleetApi!;
  void fleetApi.run(stop.signal);
  const owner = {
    apiVersion: 'infernode.io/v1alpha1',
    kind: 'RayClusterFleet',
    name: 'llama-fleet',
    uid: 'u1',
  };
  await fleetApi.createCluster(
    {
      apiVersion: 'ray.io/v1',
      kind: 'RayCluster',
      metadata: {
        name: 'llama-fleet-h-1',
        namespace: NS,
        labels: { 'infernode.io/fleet-name': 'llama-fleet' },
      },
      spec: { headGroupSpec: { template: { spec: { containers: [{ name: 'ray-head' }] } } } },
    },
    {},
  );
  await fleetApi.deleteCluster(NS, 'llama-fleet-h-1', {});
  const record = { name: 'llama-fleet-h', hash: 'h', revision: 1, template: { spec: {} } };
  await fleetApi.writeRevision(NS, 'llama-fleet', owner, record, {});
  await fleetApi.writeRevision(NS, 'llama-fleet', owner, { ...record, revision: 2 }, {});
  await fleetApi.deleteRevision(NS, 'llama-fleet-h', {});
  await fleetApi.patchFleet(
    NS,
    'llama-fleet',
    { annotations: { 'infernode.io/desired-replicas': '1' } },
    {},
  );
  const fleetStatuses = adapters.resourceStatus<{ replicas?: number }>(
    'rayclusterfleets',
    'RayClusterFleet',
  );
  const fleetRead = await fleetStatuses.read(`${NS}/llama-fleet`, {});
  await fleetStatuses.write(`${NS}/llama-fleet`, { replicas: 1 }, fleetRead!.version, {});
}

async function driveAgent(): Promise<void> {
  const config = loadConfig(agentConfigSpec, 'AGENT', {
    env: { ...env, INFERNODE_AGENT_DISCOVERY: 'kubernetes' },
  });
  const clients = createKubeClients(server.kubeConfig('agent-token'));
  const source = kubeSourceFor(config, clients, silentLogger(), createRegistry());
  void source.run(stop.signal);
  await source.synced;
}

const callsOf = (user: string): RecordedApiCall[] => server.calls.filter((c) => c.user === user);

beforeAll(async () => {
  server = await FakeKubeApiServer.start({
    users: { 'leader-token': LEADER_SA, 'agent-token': AGENT_SA },
  });
  for (const crd of loadCrds()) server.addCrd(crd);
  server.serveMetricsApi();
  server.addCrd(loadRayClusterCrd());
  server.put(aNode('gpu-1'));
  server.put({
    apiVersion: 'infernode.io/v1alpha1',
    kind: 'ModelAdapter',
    metadata: { name: 'sql-lora', namespace: NS },
    spec: { podSelector: {}, artifactURL: 's3://bucket/lora' },
  });
  server.put({
    apiVersion: 'infernode.io/v1alpha1',
    kind: 'KVCache',
    metadata: { name: 'l1-cache', namespace: NS },
    spec: { mode: 'distributed' },
  });
  server.put({
    apiVersion: 'infernode.io/v1alpha1',
    kind: 'PodAutoscaler',
    metadata: { name: 'llama-pa', namespace: NS },
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'llama' },
      maxReplicas: 4,
      scalingStrategy: 'APA',
      metricsSources: [
        { metricSourceType: 'engine', targetMetric: 'num_requests_running', targetValue: '8' },
      ],
    },
  });
  server.put(aPod('leader-0', NS).onNode('cpu-1').ready().withIp('10.0.0.2').build());
  // A previous leader still labelled: the new one takes the label off it.
  server.put(
    aPod('leader-old', NS).onNode('cpu-2').withLabel('infernode.io/role', 'leader').build(),
  );
  server.put(aPod('vllm-0', NS).onNode('gpu-1').withModel('m').ready().withIp('10.0.0.7').build());
  // What a PodAutoscaler may target: a Deployment, a StatefulSet, a RayClusterFleet.
  for (const [apiVersion, kind, name] of [
    ['apps/v1', 'Deployment', 'llama'],
    ['apps/v1', 'StatefulSet', 'llama-sts'],
  ] as const)
    server.put({
      apiVersion,
      kind,
      metadata: { name, namespace: NS },
      spec: { replicas: 1, selector: { matchLabels: { app: name } }, template: {} },
      status: { replicas: 1, selector: `app=${name}` },
    });
  server.put({
    apiVersion: 'infernode.io/v1alpha1',
    kind: 'RayClusterFleet',
    metadata: { name: 'llama-fleet', namespace: NS },
    spec: { replicas: 1, selector: { matchLabels: { app: 'f' } }, template: { spec: {} } },
    status: { replicas: 1, scalingTargetSelector: 'app=f' },
  });
  await Promise.all([driveLeader(), driveAgent()]);
  // Every informer has opened its watch, and the Lease has been renewed (update) at least once.
  await eventually(() => {
    const watches = callsOf(LEADER_SA).filter((c) => c.verb === 'watch').length;
    const renewed = callsOf(LEADER_SA).some((c) => c.resource === 'leases' && c.verb === 'update');
    const agentWatches = callsOf(AGENT_SA).filter((c) => c.verb === 'watch').length;
    // Leader: 2 pod label informers, 5 custom resource kinds, the Secret, RayClusters and
    // ControllerRevisions. Agent: 2 pod informers.
    return watches >= 10 && renewed && agentWatches >= 2;
  }, 15_000);
}, 60_000);

afterAll(async () => {
  stop.abort();
  await server.close();
});

describe.each([
  ['leader', LEADER_SA, 'infernode-leader'],
  ['agent', AGENT_SA, 'infernode-agent'],
])('the %s’s RBAC and the calls its code makes', (_process, user, serviceAccount) => {
  const grants = grantsOf(manifests, NS, serviceAccount);

  it('allows every call the code made', () => {
    const calls = callsOf(user);
    expect(calls.length).toBeGreaterThan(0);
    const denied = calls.filter((c) => !isAllowed(grants, c)).map(describePermission);
    expect([...new Set(denied)]).toEqual([]);
  });

  it('grants nothing the code does not use', () => {
    const calls = callsOf(user);
    const unused = grants
      .flatMap(permissionsOf)
      .filter((p) => !calls.some((c) => uses(c, p)))
      .filter((p) => !isPending(p))
      .map(describePermission);
    expect(unused).toEqual([]);
  });

  it('has no call that only a pending grant allows (else drop it from PENDING)', () => {
    for (const p of grants.flatMap(permissionsOf).filter(isPending))
      expect(
        callsOf(user).some((c) => uses(c, p)),
        `${describePermission(p)} is used now`,
      ).toBe(false);
  });
});
