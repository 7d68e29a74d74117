import { V1Pod } from '@kubernetes/client-node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type DiscoveryScope } from '../../../src/kube/index.js';
import { createKubeClients, K8sClusterSource } from '../../../src/kube/adapters/index.js';
import { silentLogger } from '../../../src/shared/index.js';
import { FakeKubeApiServer } from '../../helpers/kube-api-server.js';
import { aPod, eventually } from '../../helpers/kube-builders.js';
import { loadCrds } from '../../helpers/crds.js';

const fastRestarts = { backoff: { initialMs: 20, maxMs: 100, factor: 2 } };
const inMl: DiscoveryScope = { namespaces: ['ml'], requireLabels: {}, requireOwnerKinds: [] };

describe('K8sClusterSource', () => {
  let server: FakeKubeApiServer;
  let stop: AbortController;

  beforeEach(async () => {
    server = await FakeKubeApiServer.start();
    for (const crd of loadCrds()) server.addCrd(crd);
    stop = new AbortController();
  });

  afterEach(async () => {
    stop.abort();
    await server.close();
  });

  function startSource(
    node?: string,
    scope: DiscoveryScope = inMl,
  ): { source: K8sClusterSource; done: Promise<void> } {
    const source = new K8sClusterSource({
      clients: createKubeClients(server.kubeConfig()),
      log: silentLogger(),
      scope,
      requestTimeoutMs: 5000,
      supervisor: fastRestarts,
      ...(node ? { node } : {}),
    });
    // One signal per source: many sources on one signal would pile up its abort listeners.
    const own = new AbortController();
    stop.signal.addEventListener('abort', () => own.abort(), { once: true });
    return { source, done: source.run(own.signal) };
  }

  it('follows an engine pod from creation through Ready, termination and deletion (leader)', async () => {
    server.put(aPod('other', 'kube-system').onNode('cpu-1').ready().withIp('10.0.9.9').build());
    const { source, done } = startSource();
    await source.synced;
    expect(source.current().endpoints).toEqual([]);

    const core = createKubeClients(server.kubeConfig()).core;
    await core.createNamespacedPod({
      namespace: 'ml',
      body: aPod('vllm-0', 'ml')
        .onNode('gpu-1')
        .withModel('llama')
        .withLabel('model.infernode.io/port', '8001')
        .withGpus('0,1')
        .withFinalizer('test/hold')
        .build() as never,
    });
    const pending = await eventually(() => source.current().endpoints[0]);
    expect(pending).toMatchObject({
      id: 'ml/vllm-0',
      name: 'vllm-0',
      model: 'llama',
      node: 'gpu-1',
      engine: 'vllm',
      ready: false,
      url: '',
    });
    expect(pending!.gpuIndices).toEqual([0, 1]);

    await core.replaceNamespacedPodStatus({
      name: 'vllm-0',
      namespace: 'ml',
      body: Object.assign(new V1Pod(), server.get('v1', 'Pod', 'ml', 'vllm-0'), {
        status: {
          phase: 'Running',
          podIP: '10.0.0.7',
          conditions: [{ type: 'Ready', status: 'True' }],
        },
      }),
    });
    await eventually(() => source.current().endpoints[0]?.ready === true);
    expect(source.current().endpoints[0]?.url).toBe('http://10.0.0.7:8001');

    await core.deleteNamespacedPod({ name: 'vllm-0', namespace: 'ml' });
    await eventually(() => source.current().endpoints[0]?.ready === false);
    expect(source.current().endpoints).toHaveLength(1);

    await core.patchNamespacedPod({
      name: 'vllm-0',
      namespace: 'ml',
      body: [{ op: 'remove', path: '/metadata/finalizers' }],
    });
    await eventually(() => source.current().endpoints.length === 0);
    stop.abort();
    await done;
  });

  it('reads AIBrix labels and merges a pod labelled both ways once', async () => {
    server.put(
      aPod('a', 'ml')
        .onNode('n1')
        .withModel('m1', 'model.aibrix.ai/name')
        .withLabel('model.aibrix.ai/port', '9000')
        .ready()
        .withIp('10.0.0.1')
        .build(),
    );
    server.put(
      aPod('b', 'ml')
        .onNode('n1')
        .withModel('m2')
        .withModel('m2', 'model.aibrix.ai/name')
        .withLabel('model.infernode.io/engine', 'sglang')
        .ready()
        .withIp('10.0.0.2')
        .build(),
    );
    const { source } = startSource();
    await source.synced;
    await eventually(() => source.current().endpoints.length === 2);
    expect(source.current().endpoints.map((e) => [e.id, e.model, e.url, e.engine])).toEqual([
      ['ml/a', 'm1', 'http://10.0.0.1:9000', 'vllm'],
      ['ml/b', 'm2', 'http://10.0.0.2:8000', 'sglang'],
    ]);
  });

  it('an agent source sees only the pods bound to its node, including one bound later', async () => {
    server.put(
      aPod('here', 'ml').onNode('gpu-1').withModel('m').ready().withIp('10.0.0.1').build(),
    );
    server.put(
      aPod('there', 'ml').onNode('gpu-2').withModel('m').ready().withIp('10.0.0.2').build(),
    );
    server.put(aPod('unbound', 'ml').withModel('m').build());
    const { source } = startSource('gpu-1');
    await source.synced;
    await eventually(() => source.current().endpoints.length === 1);
    expect(source.current().endpoints[0]?.id).toBe('ml/here');
    expect(source.current().resources).toEqual([]);

    const unbound = server.get('v1', 'Pod', 'ml', 'unbound')!;
    server.put({ ...unbound, spec: { ...(unbound.spec as object), nodeName: 'gpu-1' } });
    await eventually(() => source.current().endpoints.length === 2);

    server.delete('v1', 'Pod', 'ml', 'here');
    await eventually(
      () =>
        source
          .current()
          .endpoints.map((e) => e.id)
          .join() === 'ml/unbound',
    );
    const watches = server.requests.filter((r) => r.query.includes('watch=true'));
    expect(watches.every((r) => decodeURIComponent(r.query).includes('spec.nodeName=gpu-1'))).toBe(
      true,
    );
  });

  it('puts the custom resources in the view', async () => {
    const { source } = startSource();
    await source.synced;
    server.put({
      apiVersion: 'infernode.io/v1alpha1',
      kind: 'KVCache',
      metadata: { name: 'kv', namespace: 'ml' },
      spec: { mode: 'centralized' },
    });
    const resource = await eventually(() => source.current().resources[0]);
    expect(resource).toMatchObject({
      kind: 'KVCache',
      metadata: { name: 'kv', namespace: 'ml' },
      spec: { mode: 'centralized' },
    });
  });

  it('discovers only pods in the scope: its namespaces, the required labels, the owner kinds', async () => {
    const engine = (name: string, ns: string) =>
      aPod(name, ns).onNode('gpu-1').withModel('m').ready().withIp('10.0.0.1');
    server.put(engine('mine', 'ml').withLabel('infernode.io/serving', 'true').build());
    server.put(engine('tenant', 'tenant-a').withLabel('infernode.io/serving', 'true').build());
    server.put(engine('unlabelled', 'ml').build());
    server.put(
      engine('owned', 'ml')
        .withLabel('infernode.io/serving', 'true')
        .ownedBy('ReplicaSet', 'vllm-5d9f')
        .build(),
    );
    const ids = (source: K8sClusterSource) => source.current().endpoints.map((e) => e.id);

    // The namespace scope: a Ready pod with the model label in another namespace is no engine.
    const byNamespace = startSource(undefined, inMl).source;
    await byNamespace.synced;
    expect(ids(byNamespace)).toEqual(['ml/mine', 'ml/owned', 'ml/unlabelled']);

    // A required label: the unlabelled pod is not discovered, by the leader or by an agent.
    const labelled = { ...inMl, requireLabels: { 'infernode.io/serving': 'true' } };
    for (const node of [undefined, 'gpu-1']) {
      const source = startSource(node, labelled).source;
      await source.synced;
      expect(ids(source)).toEqual(['ml/mine', 'ml/owned']);
    }

    // An owner kind: only pods a ReplicaSet controls.
    const owned = startSource(undefined, { ...labelled, requireOwnerKinds: ['ReplicaSet'] }).source;
    await owned.synced;
    expect(ids(owned)).toEqual(['ml/owned']);

    // `*` opts into every namespace, with one cluster-wide informer per label.
    const all = startSource(undefined, { ...inMl, namespaces: 'all' }).source;
    await all.synced;
    expect(ids(all)).toEqual(['ml/mine', 'ml/owned', 'ml/unlabelled', 'tenant-a/tenant']);
    const watched = server.requests.filter((r) => r.query.includes('watch=true'));
    expect(watched.some((r) => r.path === '/api/v1/pods')).toBe(true);
    expect(watched.filter((r) => r.path !== '/api/v1/pods').map((r) => r.path)).not.toContain(
      '/api/v1/namespaces/tenant-a/pods',
    );
  });
});
