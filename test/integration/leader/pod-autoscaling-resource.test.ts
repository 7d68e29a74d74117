/**
 * The `resource` metric source end to end against the fake API server: the leader's
 * PodAutoscaling parts with the real K8sPodMetrics reading metrics.k8s.io PodMetrics (as
 * metrics-server serves them) and the pods' requests, the real K8sScaleClient on a Deployment.
 * cpu at 180% of the requests against a 60% target scales the Deployment up (capped at
 * maxReplicas); a cluster without the metrics API gets a ScalingActive False condition that names
 * it, and the replicas stay as they were (not read as zero, which would scale down to minReplicas).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PodAutoscalerStatus } from '../../../src/autoscaling/index.js';
import type { ClusterView, CustomResource } from '../../../src/discovery/index.js';
import {
  K8sPodMetrics,
  createKubeClients,
  type KubeClients,
} from '../../../src/kube/adapters/index.js';
import { ClusterStateStore } from '../../../src/leader/index.js';
import { createRegistry, systemClock } from '../../../src/shared/index.js';
import { loadCrds } from '../../helpers/crds.js';
import { startKubePodAutoscaling } from '../../helpers/kube-pod-autoscaling.js';
import { FakeKubeApiServer } from '../../helpers/kube-api-server.js';
import { aPod, aPodMetrics } from '../../helpers/kube-builders.js';
import { waitFor } from '../../helpers/wait-for.js';

const API = 'infernode.io/v1alpha1';
const NS = 'ml';

interface Condition {
  readonly type: string;
  readonly status: string;
  readonly reason: string;
  readonly message: string;
}

describe('PodAutoscaler with a resource (metrics.k8s.io) source', () => {
  let server: FakeKubeApiServer;
  let clients: KubeClients;
  let stop: AbortController;

  beforeEach(async () => {
    server = await FakeKubeApiServer.start();
    for (const crd of loadCrds()) server.addCrd(crd);
    clients = createKubeClients(server.kubeConfig());
    stop = new AbortController();
    server.put({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'llama', namespace: NS },
      spec: { replicas: 2, selector: { matchLabels: { app: 'llama' } }, template: {} },
      status: { replicas: 2, selector: 'app=llama' },
    });
    // The Deployment's two pods (each requesting 500m) and a pod of another app, whose heavy
    // usage must not count.
    for (const name of ['llama-a', 'llama-b'])
      server.put(
        aPod(name, NS)
          .withLabel('app', 'llama')
          .withRequests({ cpu: '500m', memory: '1Gi' })
          .ready()
          .build(),
      );
    server.put(
      aPod('other', NS).withLabel('app', 'other').withRequests({ cpu: '100m' }).ready().build(),
    );
    server.put({
      apiVersion: API,
      kind: 'PodAutoscaler',
      metadata: { name: 'llama-pa', namespace: NS },
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'llama' },
        minReplicas: 1,
        maxReplicas: 4,
        scalingStrategy: 'HPA',
        metricsSources: [{ metricSourceType: 'resource', targetMetric: 'cpu', targetValue: '60' }],
      },
    });
  });

  afterEach(async () => {
    stop.abort();
    await server.close();
  });

  function start(): { reconciles: () => Promise<number> } {
    const view = (): ClusterView => ({
      endpoints: [],
      resources: server.list(API, 'PodAutoscaler', NS) as unknown as CustomResource[],
    });
    const store = new ClusterStateStore({ clock: systemClock, staleAfterMs: 600_000 });
    store.setDiscovery(view());
    const registry = createRegistry({ defaultMetrics: false });
    startKubePodAutoscaling({
      clients,
      view,
      store,
      namespace: NS,
      signal: stop.signal,
      registry,
      extra: { podMetrics: new K8sPodMetrics({ clients, requestTimeoutMs: 5000 }) },
    });
    const reconciles = async (): Promise<number> => {
      const metric = await registry.getSingleMetric('infernode_controller_reconcile_total')?.get();
      return (metric?.values ?? [])
        .filter((v) => v.labels.controller === 'pod-autoscaler')
        .reduce((sum, v) => sum + v.value, 0);
    };
    return { reconciles };
  }

  const replicas = (): number =>
    (server.get('apps/v1', 'Deployment', NS, 'llama')?.spec as { replicas: number }).replicas;
  const statusOf = (): PodAutoscalerStatus | undefined =>
    server.get(API, 'PodAutoscaler', NS, 'llama-pa')?.status as PodAutoscalerStatus | undefined;
  const conditionOf = (type: string): Condition | undefined =>
    (statusOf()?.conditions as Condition[] | undefined)?.find((c) => c.type === type);

  it('scales the Deployment on cpu utilization of the requests', async () => {
    server.serveMetricsApi();
    for (const name of ['llama-a', 'llama-b']) {
      const pod = server.get('v1', 'Pod', NS, name)!;
      // 900m of 500m requested: 180% utilization (nanocores, as metrics-server reports them).
      server.put(aPodMetrics(pod, { engine: { cpu: '900000000n', memory: '734003200' } }));
    }
    server.put(
      aPodMetrics(server.get('v1', 'Pod', NS, 'other')!, {
        engine: { cpu: '8', memory: '1Gi' },
      }),
    );
    start();
    // 180% against 60%: 2 · 3 = 6 wanted, capped by maxReplicas 4.
    await waitFor(() => replicas() === 4, 'the Deployment at 4 replicas', 30_000);
    await waitFor(() => statusOf()?.desiredScale === 4, 'status desiredScale 4', 30_000);
    expect(conditionOf('ScalingActive')).toMatchObject({ status: 'True' });
    expect(statusOf()?.scalingHistory?.at(-1)).toMatchObject({
      previousScale: 2,
      newScale: 4,
      success: true,
    });
    // The read listed both APIs by the target's selector (the other app's pod never counted).
    const listed = server.requests.filter(
      (r) => r.path === `/apis/metrics.k8s.io/v1beta1/namespaces/${NS}/pods`,
    );
    expect(listed.length).toBeGreaterThan(0);
    expect(new URLSearchParams(listed[0]!.query).get('labelSelector')).toBe('app=llama');
  });

  it('a missing metrics API is a condition, not a scale to zero', async () => {
    // No serveMetricsApi: metrics.k8s.io answers 404 as on a cluster without metrics-server.
    const { reconciles } = start();
    await waitFor(
      () => conditionOf('ScalingActive')?.message.includes('metrics.k8s.io') === true,
      'ScalingActive False naming metrics.k8s.io',
      30_000,
    );
    expect(conditionOf('ScalingActive')).toMatchObject({
      status: 'False',
      reason: 'MetricSourceFailed',
    });
    const seen = await reconciles();
    await waitFor(async () => (await reconciles()) >= seen + 5, '5 more reconciles', 30_000);
    expect(replicas()).toBe(2);
    expect(statusOf()?.scalingHistory ?? []).toEqual([]);
  });
});
