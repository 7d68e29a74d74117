import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { INFERNODE_GROUP, INFERNODE_VERSION } from '../../../src/discovery/index.js';
import { scaleTargetOf } from '../../../src/kube/index.js';
import {
  createKubeClients,
  K8sScaleClient,
  kubeCall,
  MERGE_PATCH,
  type KubeClients,
} from '../../../src/kube/adapters/index.js';
import type { ModelAdapter } from '../../../src/lora/index.js';
import { FakeKubeApiServer } from '../../helpers/kube-api-server.js';
import { loadCrds } from '../../helpers/crds.js';

const gv = { group: INFERNODE_GROUP, version: INFERNODE_VERSION, namespace: 'ml' };
const call = <T>(what: string, fn: Parameters<typeof kubeCall<T>>[2]): Promise<T> =>
  kubeCall(what, { timeoutMs: 5000 }, fn);

const adapter = (name: string, artifactURL = 'huggingface://org/lora-sql'): unknown => ({
  apiVersion: 'infernode.io/v1alpha1',
  kind: 'ModelAdapter',
  metadata: { name, namespace: 'ml' },
  spec: {
    baseModel: 'llama-3-8b',
    podSelector: { matchLabels: { 'model.infernode.io/name': 'llama-3-8b' } },
    artifactURL,
  },
});

describe('custom resources through the API', () => {
  let server: FakeKubeApiServer;
  let clients: KubeClients;

  beforeEach(async () => {
    server = await FakeKubeApiServer.start();
    for (const crd of loadCrds()) server.addCrd(crd);
    clients = createKubeClients(server.kubeConfig());
  });

  afterEach(async () => {
    await server.close();
  });

  it('a ModelAdapter round-trips: create, get, status update isolated from spec, generation', async () => {
    const plural = 'modeladapters';
    const created = (await call('create', (o) =>
      clients.custom.createNamespacedCustomObject({ ...gv, plural, body: adapter('sql') }, o),
    )) as ModelAdapter & { metadata: { generation: number; uid: string } };
    expect(created.metadata.generation).toBe(1);
    expect(created.metadata.uid).toBeTruthy();

    const status = {
      phase: 'Running',
      instances: ['vllm-0'],
      readyReplicas: 1,
      desiredReplicas: 1,
    };
    const withStatus = (await call('status', (o) =>
      clients.custom.replaceNamespacedCustomObjectStatus(
        { ...gv, plural, name: 'sql', body: { ...created, status } },
        o,
      ),
    )) as ModelAdapter & { metadata: { generation: number } };
    expect(withStatus.status).toEqual(status);
    expect(withStatus.metadata.generation).toBe(1);

    // A spec update cannot touch status, and bumps the generation.
    const updated = (await call('update', (o) =>
      clients.custom.replaceNamespacedCustomObject(
        {
          ...gv,
          plural,
          name: 'sql',
          body: {
            ...withStatus,
            spec: { ...withStatus.spec, replicas: 1 },
            status: { phase: 'Failed' },
          },
        },
        o,
      ),
    )) as ModelAdapter & { metadata: { generation: number } };
    expect(updated.status).toEqual(status);
    expect(updated.metadata.generation).toBe(2);

    const read = (await call('get', (o) =>
      clients.custom.getNamespacedCustomObject({ ...gv, plural, name: 'sql' }, o),
    )) as ModelAdapter;
    expect(read.spec.replicas).toBe(1);
    expect(read.status?.instances).toEqual(['vllm-0']);
  });

  it('answers AlreadyExists, Conflict and NotFound as K8S_* errors', async () => {
    const plural = 'modeladapters';
    const created = (await call('create', (o) =>
      clients.custom.createNamespacedCustomObject({ ...gv, plural, body: adapter('a') }, o),
    )) as { metadata: { resourceVersion: string } };
    await expect(
      call('create again', (o) =>
        clients.custom.createNamespacedCustomObject({ ...gv, plural, body: adapter('a') }, o),
      ),
    ).rejects.toMatchObject({ code: 'K8S_CONFLICT', httpStatus: 409 });
    // Any write moves the resourceVersion on, so `created`'s becomes stale.
    await kubeCall('label', { timeoutMs: 5000, contentType: MERGE_PATCH }, (o) =>
      clients.custom.patchNamespacedCustomObject(
        { ...gv, plural, name: 'a', body: { metadata: { labels: { x: 'y' } } } },
        o,
      ),
    );
    const stale = {
      ...(adapter('a') as object),
      metadata: { name: 'a', namespace: 'ml', resourceVersion: created.metadata.resourceVersion },
    };
    await expect(
      call('stale update', (o) =>
        clients.custom.replaceNamespacedCustomObject({ ...gv, plural, name: 'a', body: stale }, o),
      ),
    ).rejects.toMatchObject({ code: 'K8S_CONFLICT' });
    await expect(
      call('get missing', (o) =>
        clients.custom.getNamespacedCustomObject({ ...gv, plural, name: 'nope' }, o),
      ),
    ).rejects.toMatchObject({ code: 'K8S_NOT_FOUND', httpStatus: 404 });
  });

  it('rejects what the CRD schema rejects', async () => {
    await expect(
      call('bad url', (o) =>
        clients.custom.createNamespacedCustomObject(
          { ...gv, plural: 'modeladapters', body: adapter('bad', 'ftp://x/y') },
          o,
        ),
      ),
    ).rejects.toMatchObject({ code: 'K8S_INVALID', httpStatus: 422 });
    const pa = {
      apiVersion: 'infernode.io/v1alpha1',
      kind: 'PodAutoscaler',
      metadata: { name: 'pa' },
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'llama' },
        maxReplicas: 4,
        scalingStrategy: 'XPA',
        metricsSources: [
          {
            metricSourceType: 'pod',
            protocolType: 'http',
            port: '8000',
            path: '/metrics',
            targetMetric: 'vllm:num_requests_running',
            targetValue: '8',
          },
        ],
      },
    };
    await expect(
      call('bad strategy', (o) =>
        clients.custom.createNamespacedCustomObject(
          { ...gv, plural: 'podautoscalers', body: pa },
          o,
        ),
      ),
    ).rejects.toMatchObject({ code: 'K8S_INVALID' });
    const ok = await call('good', (o) =>
      clients.custom.createNamespacedCustomObject(
        {
          ...gv,
          plural: 'podautoscalers',
          body: { ...pa, spec: { ...pa.spec, scalingStrategy: 'APA' } },
        },
        o,
      ),
    );
    expect(ok).toMatchObject({ spec: { scalingStrategy: 'APA' } });
  });

  it('a finalizer keeps a deleted resource, terminating, until it is removed', async () => {
    const plural = 'kvcaches';
    const body = {
      apiVersion: 'infernode.io/v1alpha1',
      kind: 'KVCache',
      metadata: { name: 'kv', finalizers: ['infernode.io/cleanup'] },
      spec: {},
    };
    await call('create', (o) =>
      clients.custom.createNamespacedCustomObject({ ...gv, plural, body }, o),
    );
    await call('delete', (o) =>
      clients.custom.deleteNamespacedCustomObject({ ...gv, plural, name: 'kv' }, o),
    );
    const terminating = server.get('infernode.io/v1alpha1', 'KVCache', 'ml', 'kv');
    expect(terminating?.metadata.deletionTimestamp).toBeTruthy();
    await kubeCall('unfinalize', { timeoutMs: 5000, contentType: MERGE_PATCH }, (o) =>
      clients.custom.patchNamespacedCustomObject(
        { ...gv, plural, name: 'kv', body: { metadata: { finalizers: null } } },
        o,
      ),
    );
    expect(server.get('infernode.io/v1alpha1', 'KVCache', 'ml', 'kv')).toBeUndefined();
  });

  it('scales a RayClusterFleet and a Deployment through their scale subresources', async () => {
    server.put({
      apiVersion: 'infernode.io/v1alpha1',
      kind: 'RayClusterFleet',
      metadata: { name: 'fleet', namespace: 'ml' },
      spec: { replicas: 1, selector: { matchLabels: { app: 'f' } }, template: { spec: {} } },
      status: { replicas: 1, scalingTargetSelector: 'app=f' },
    });
    server.put({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'llama', namespace: 'ml' },
      spec: { replicas: 2, selector: { matchLabels: { app: 'llama' } }, template: {} },
      status: { replicas: 2 },
    });
    const scale = new K8sScaleClient({ clients, requestTimeoutMs: 5000 });
    const fleet = scaleTargetOf(
      { apiVersion: 'infernode.io/v1alpha1', kind: 'RayClusterFleet', name: 'fleet' },
      'ml',
    );
    expect(await scale.getScale(fleet, {})).toEqual({
      replicas: 1,
      statusReplicas: 1,
      selector: 'app=f',
    });
    await scale.setReplicas(fleet, 3, {});
    expect(
      server.get('infernode.io/v1alpha1', 'RayClusterFleet', 'ml', 'fleet')?.spec,
    ).toMatchObject({ replicas: 3 });
    const deployment = scaleTargetOf({ kind: 'Deployment', name: 'llama' }, 'ml');
    await scale.setReplicas(deployment, 5, {});
    expect((await scale.getScale(deployment, {})).replicas).toBe(5);
    const typed = await clients.apps.readNamespacedDeploymentScale({
      name: 'llama',
      namespace: 'ml',
    });
    expect(typed.spec?.replicas).toBe(5);
    const deploymentObj = await clients.apps.readNamespacedDeployment({
      name: 'llama',
      namespace: 'ml',
    });
    expect(deploymentObj.metadata?.generation).toBeGreaterThanOrEqual(1);
    const pa = scaleTargetOf(
      { apiVersion: 'infernode.io/v1alpha1', kind: 'PodAutoscaler', name: 'x' },
      'ml',
    );
    await expect(scale.getScale(pa, {})).rejects.toMatchObject({ code: 'K8S_NOT_FOUND' });
  });

  it('serves discovery for the CRD group with status and scale subresources', async () => {
    const res = await fetch(`${server.url}/apis/infernode.io/v1alpha1`, {
      headers: { authorization: 'Bearer test-token' },
    });
    const body = (await res.json()) as { resources: { name: string }[] };
    const names = body.resources.map((r) => r.name).sort();
    expect(names).toEqual([
      'kvcaches',
      'kvcaches/status',
      'modeladapters',
      'modeladapters/status',
      'podautoscalers',
      'podautoscalers/status',
      'ratelimitpolicies',
      'ratelimitpolicies/status',
      'rayclusterfleets',
      'rayclusterfleets/scale',
      'rayclusterfleets/status',
    ]);
    const groups = (await (
      await fetch(`${server.url}/apis`, { headers: { authorization: 'Bearer test-token' } })
    ).json()) as { groups: { name: string }[] };
    expect(groups.groups.map((g) => g.name)).toEqual(
      expect.arrayContaining(['apps', 'coordination.k8s.io', 'discovery.k8s.io', 'infernode.io']),
    );
    expect((await fetch(`${server.url}/api/v1`)).status).toBe(401);
  });
});
