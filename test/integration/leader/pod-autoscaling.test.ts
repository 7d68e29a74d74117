/**
 * The leader's PodAutoscaler parts (src/leader/autoscaling-wiring.ts) against the fake API
 * server: the real K8sScaleClient on a Deployment's scale subresource, the real status store on
 * the PodAutoscaler CRD, Events through the real K8sNodeOps; engine load comes from a real cluster
 * state store fed agent reports, as the agent hub feeds it. High load scales the Deployment up
 * and writes status and an Event; two PodAutoscalers on one target both report the conflict and
 * nothing scales; a failing `external` source stops scaling with ScalingActive False.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { PodAutoscalerStatus } from '../../../src/autoscaling/index.js';
import type { ClusterView, CustomResource, EngineEndpoint } from '../../../src/discovery/index.js';
import { createKubeClients, type KubeClients } from '../../../src/kube/adapters/index.js';
import { ClusterStateStore } from '../../../src/leader/index.js';
import type { PodAutoscaling } from '../../../src/leader/autoscaling-wiring.js';
import type { EngineReport } from '../../../src/protocol/index.js';
import { createRegistry, systemClock } from '../../../src/shared/index.js';
import { loadCrds } from '../../helpers/crds.js';
import { startKubePodAutoscaling } from '../../helpers/kube-pod-autoscaling.js';
import { FakeKubeApiServer, type KubeObject } from '../../helpers/kube-api-server.js';
import { waitFor } from '../../helpers/wait-for.js';

const API = 'infernode.io/v1alpha1';
const NS = 'ml';

const engine = (i: number): EngineEndpoint => ({
  id: `${NS}/llama-${i}`,
  name: `llama-${i}`,
  model: 'llama',
  url: `http://127.0.0.1:${9000 + i}`,
  node: `n${i}`,
  engine: 'vllm',
  gpuIndices: [0],
  ready: true,
  labels: { app: 'llama' },
});

const report = (e: EngineEndpoint, running: number): EngineReport => ({
  id: e.id,
  model: e.model,
  url: e.url,
  ready: true,
  adapters: [],
  metrics: { scrape: { numRequestsRunning: running }, window: { windowMs: 0 } } as never,
});

/** A PodAutoscaler on the `llama` Deployment (HPA, 1..4) with the given metric sources. */
const autoscaler = (name: string, metricsSources: unknown[]): KubeObject => ({
  apiVersion: API,
  kind: 'PodAutoscaler',
  metadata: { name, namespace: NS },
  spec: {
    scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'llama' },
    minReplicas: 1,
    maxReplicas: 4,
    scalingStrategy: 'HPA',
    metricsSources,
  },
});

const engineSource = {
  metricSourceType: 'engine',
  targetMetric: 'num_requests_running',
  targetValue: '10',
};

interface Condition {
  readonly type: string;
  readonly status: string;
  readonly reason: string;
  readonly message: string;
}

describe('PodAutoscaling in the leader (fake API server)', () => {
  let server: FakeKubeApiServer;
  let clients: KubeClients;
  let stop: AbortController;
  let metricsServer: Server | undefined;

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
  });

  afterEach(async () => {
    stop.abort();
    await new Promise<void>((resolve) =>
      metricsServer ? metricsServer.close(() => resolve()) : resolve(),
    );
    metricsServer = undefined;
    await server.close();
  });

  /** Starts the parts over the PodAutoscalers now in the server, 2 engines at `running` each. */
  function start(
    running: number,
    engineCount = 2,
  ): { reconciles: () => Promise<number>; parts: PodAutoscaling } {
    const endpoints = [1, 2].slice(0, engineCount).map(engine);
    const view = (): ClusterView => ({
      endpoints,
      resources: server.list(API, 'PodAutoscaler', NS) as unknown as CustomResource[],
    });
    const store = new ClusterStateStore({ clock: systemClock, staleAfterMs: 600_000 });
    store.setDiscovery(view());
    for (const e of endpoints)
      store.applySnapshot(e.node, 'test', { engines: [report(e, running)], gpus: [] });
    const registry = createRegistry({ defaultMetrics: false });
    const parts = startKubePodAutoscaling({
      clients,
      view,
      store,
      namespace: NS,
      signal: stop.signal,
      registry,
    });
    const reconciles = async (): Promise<number> => {
      const metric = await registry.getSingleMetric('infernode_controller_reconcile_total')?.get();
      return (metric?.values ?? [])
        .filter((v) => v.labels.controller === 'pod-autoscaler')
        .reduce((sum, v) => sum + v.value, 0);
    };
    return { reconciles, parts };
  }

  const replicas = (): number =>
    (server.get('apps/v1', 'Deployment', NS, 'llama')?.spec as { replicas: number }).replicas;
  const statusOf = (name: string): PodAutoscalerStatus | undefined =>
    server.get(API, 'PodAutoscaler', NS, name)?.status as PodAutoscalerStatus | undefined;
  const conditionOf = (name: string, type: string): Condition | undefined =>
    (statusOf(name)?.conditions as Condition[] | undefined)?.find((c) => c.type === type);
  const events = (reason: string): KubeObject[] =>
    server.list('v1', 'Event', NS).filter((e) => (e as { reason?: string }).reason === reason);

  it('scales the Deployment up on high engine load, with status and a SuccessfulRescale Event', async () => {
    server.put(autoscaler('llama-pa', [engineSource]));
    start(40);
    // 2 engines at 40 running, target 10 per pod: 8 wanted, capped by maxReplicas 4.
    await waitFor(() => replicas() === 4, 'the Deployment at 4 replicas', 30_000);
    await waitFor(() => statusOf('llama-pa')?.desiredScale === 4, 'status desiredScale 4', 30_000);
    const status = statusOf('llama-pa')!;
    expect(status.actualScale).toBe(2);
    expect(status.scalingHistory?.at(-1)).toMatchObject({
      previousScale: 2,
      newScale: 4,
      success: true,
    });
    expect(conditionOf('llama-pa', 'AbleToScale')).toMatchObject({
      status: 'True',
      reason: 'SucceededRescale',
    });
    expect(conditionOf('llama-pa', 'ScalingActive')).toMatchObject({ status: 'True' });
    expect(conditionOf('llama-pa', 'MultiPodAutoscalerConflict')).toMatchObject({
      status: 'False',
    });
    await waitFor(
      () => events('SuccessfulRescale').length > 0,
      'a SuccessfulRescale Event',
      30_000,
    );
    expect(events('SuccessfulRescale')[0]).toMatchObject({
      type: 'Normal',
      involvedObject: { kind: 'PodAutoscaler', name: 'llama-pa', namespace: NS },
    });
    expect((events('SuccessfulRescale')[0] as unknown as { message: string }).message).toContain(
      'New size: 4',
    );
  });

  it('a bad tunable annotation turns ValidSpec False and scaling goes on with its default', async () => {
    const pa = autoscaler('llama-pa', [engineSource]);
    server.put({
      ...pa,
      metadata: {
        ...pa.metadata,
        annotations: { 'autoscaling.infernode.io/scale-up-tolerance': 'lots' },
      },
    });
    start(40);
    await waitFor(() => replicas() === 4, 'the Deployment at 4 replicas', 30_000);
    await waitFor(
      () => conditionOf('llama-pa', 'ValidSpec')?.reason === 'InvalidAnnotation',
      'ValidSpec InvalidAnnotation',
      30_000,
    );
    const valid = conditionOf('llama-pa', 'ValidSpec')!;
    expect(valid.status).toBe('False');
    expect(valid.message).toContain('scale-up-tolerance');
  });

  it('two PodAutoscalers on one target both report the conflict and nothing scales', async () => {
    server.put(autoscaler('first', [engineSource]));
    server.put(autoscaler('second', [engineSource]));
    const { reconciles } = start(40);
    for (const name of ['first', 'second']) {
      await waitFor(
        () => conditionOf(name, 'MultiPodAutoscalerConflict')?.status === 'True',
        `${name} in conflict`,
        30_000,
      );
      expect(conditionOf(name, 'MultiPodAutoscalerConflict')?.reason).toBe(
        'MultiplePodAutoscalers',
      );
      expect(conditionOf(name, 'Ready')).toMatchObject({ status: 'False', reason: 'Conflict' });
    }
    expect(conditionOf('first', 'MultiPodAutoscalerConflict')?.message).toContain('ml/second');
    // Many periods later (the load alone scales within a few), still nothing has scaled.
    const seen = await reconciles();
    await waitFor(async () => (await reconciles()) >= seen + 10, '10 more reconciles', 30_000);
    expect(replicas()).toBe(2);
    expect(statusOf('first')?.scalingHistory ?? []).toEqual([]);
    expect(events('SuccessfulRescale')).toEqual([]);
    // The conflict was what held it: with the rival gone, the same load scales the target.
    server.delete(API, 'PodAutoscaler', NS, 'second');
    await waitFor(() => replicas() === 4, 'the Deployment at 4 replicas', 30_000);
    await waitFor(
      () => conditionOf('first', 'MultiPodAutoscalerConflict')?.status === 'False',
      'the conflict cleared',
      30_000,
    );
  });

  it('a failing external source turns ScalingActive False and leaves the replicas alone', async () => {
    metricsServer = createServer((_req, res) => res.writeHead(500).end('broken'));
    await new Promise<void>((resolve) => metricsServer!.listen(0, '127.0.0.1', resolve));
    const { port } = metricsServer.address() as AddressInfo;
    server.put(
      autoscaler('ext-pa', [
        {
          metricSourceType: 'external',
          protocolType: 'http',
          endpoint: `127.0.0.1:${port}`,
          path: '/load',
          targetMetric: 'queue_depth',
          targetValue: '10',
        },
      ]),
    );
    // Idle engines: were the failing source read as zero, the HPA would scale down to 1.
    const { reconciles } = start(0);
    await waitFor(
      () => conditionOf('ext-pa', 'ScalingActive')?.message.includes('answered 500') === true,
      'ScalingActive False with the source failure',
      30_000,
    );
    expect(conditionOf('ext-pa', 'ScalingActive')).toMatchObject({
      status: 'False',
      reason: 'MetricSourceFailed',
    });
    const seen = await reconciles();
    await waitFor(async () => (await reconciles()) >= seen + 5, '5 more reconciles', 30_000);
    expect(replicas()).toBe(2);
    expect(events('SuccessfulRescale')).toEqual([]);
  });

  it('after a restart, a target at zero is found by its pod template model and scaled from zero', async () => {
    // A Deployment at 0 whose template names the model (AIBrix's label), and a PodAutoscaler
    // without the model annotation: a fresh leader sees no engine to learn the model from.
    server.put({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'llama', namespace: NS },
      spec: {
        replicas: 0,
        selector: { matchLabels: { app: 'llama' } },
        template: { metadata: { labels: { app: 'llama', 'model.aibrix.ai/name': 'llama' } } },
      },
      status: { replicas: 0, selector: 'app=llama' },
    });
    const pa = autoscaler('llama-pa', [engineSource]);
    server.put({ ...pa, spec: { ...(pa.spec as object), minReplicas: 0 } });
    const { parts } = start(0, 0);
    // The gateway's hold reaches this PodAutoscaler once its template has been read.
    await waitFor(
      () => parts.demand('llama', 1),
      'the held request reaching the autoscaler',
      30_000,
    );
    expect(parts.expectedModels()).toEqual([{ model: 'llama' }]);
    expect(parts.demand('mistral', 1)).toBe(false);
    await waitFor(() => replicas() >= 1, 'the Deployment off zero', 30_000);
    // The status is written after the scale.
    await waitFor(
      () => (statusOf('llama-pa')?.scalingHistory ?? []).length > 0,
      'the scale in the status',
      30_000,
    );
    expect(statusOf('llama-pa')?.scalingHistory?.at(-1)).toMatchObject({
      previousScale: 0,
      success: true,
    });
  });
});
