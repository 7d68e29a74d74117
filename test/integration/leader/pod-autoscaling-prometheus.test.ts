/**
 * The seed's PodAutoscaler (a KPA on the PromQL query `avg(vllm:num_requests_running)`) scaling
 * on a real Prometheus (Debian's /usr/bin/prometheus, test/helpers/prometheus-process.ts) that
 * scrapes a fixed vLLM-style /metrics endpoint every second; the Deployment lives on the fake API
 * server. test/e2e/pod-autoscaling-prometheus-sims.test.ts does the same on simulator processes
 * under real load.
 */
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PodAutoscalerStatus } from '../../../src/autoscaling/index.js';
import {
  CorrelatingEventRecorder,
  InMemoryEventSink,
  systemTimers,
} from '../../../src/controllers/index.js';
import type { CustomResource } from '../../../src/discovery/index.js';
import {
  K8sResourceStatusStore,
  K8sScaleClient,
  createKubeClients,
} from '../../../src/kube/adapters/index.js';
import { ClusterStateStore } from '../../../src/leader/index.js';
import { PodAutoscaling } from '../../../src/leader/autoscaling-wiring.js';
import { SeededRng, createRegistry, silentLogger, systemClock } from '../../../src/shared/index.js';
import { loadCrds } from '../../helpers/crds.js';
import { FakeKubeApiServer, type KubeObject } from '../../helpers/kube-api-server.js';
import { startPrometheus, type PrometheusProcess } from '../../helpers/prometheus-process.js';
import { waitFor } from '../../helpers/wait-for.js';

const API = 'infernode.io/v1alpha1';
const NS = 'ml';

describe('a PodAutoscaler on a real Prometheus', () => {
  let prometheus: PrometheusProcess | undefined;
  let prometheusUrl: string;
  let engineMetrics: Server;
  let api: FakeKubeApiServer;
  const stop = new AbortController();

  beforeAll(async () => {
    // Two engines' worth of load seen as one scrape target: avg(...) = 40 running requests.
    engineMetrics = createServer((_req, res) =>
      res
        .writeHead(200, { 'content-type': 'text/plain; version=0.0.4' })
        .end(
          '# TYPE vllm:num_requests_running gauge\n' +
            'vllm:num_requests_running{model_name="llama-3-8b"} 40\n',
        ),
    );
    await new Promise<void>((resolve) => engineMetrics.listen(0, '127.0.0.1', resolve));
    const enginePort = (engineMetrics.address() as AddressInfo).port;
    prometheus = await startPrometheus(
      [`127.0.0.1:${enginePort}`],
      'avg(vllm:num_requests_running)',
    );
    prometheusUrl = prometheus.url;
    api = await FakeKubeApiServer.start();
    for (const crd of loadCrds()) api.addCrd(crd);
  }, 120_000);

  afterAll(async () => {
    stop.abort();
    await prometheus?.stop();
    await new Promise<void>((resolve) => engineMetrics.close(() => resolve()));
    await api.close();
  });

  it('scales the Deployment up on the PromQL answer', async () => {
    api.put({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'llama-3-8b', namespace: NS },
      spec: { replicas: 2, selector: { matchLabels: { app: 'llama' } }, template: {} },
      status: { replicas: 2, selector: 'app=llama' },
    });
    const seed = parse(
      readFileSync('test/fixtures/pod-autoscaler/seed-prometheus.yaml', 'utf8'),
    ) as KubeObject;
    api.put({ ...seed, metadata: { ...seed.metadata, namespace: NS } });
    const clients = createKubeClients(api.kubeConfig());
    const view = () => ({
      endpoints: [],
      resources: api.list(API, 'PodAutoscaler', NS) as unknown as CustomResource[],
    });
    const log = silentLogger();
    const parts = new PodAutoscaling({
      config: {
        prometheusUrl,
        sampleIntervalMs: 100,
        metricTimeoutMs: 5000,
        resyncIntervalMs: 200,
      },
      source: { current: view, onChange: () => () => undefined },
      store: new ClusterStateStore({ clock: systemClock, staleAfterMs: 600_000 }),
      commands: { send: () => Promise.reject(new Error('no command expected')) },
      scale: new K8sScaleClient({ clients, requestTimeoutMs: 5000 }),
      statuses: new K8sResourceStatusStore<PodAutoscalerStatus>({
        clients,
        plural: 'podautoscalers',
        requestTimeoutMs: 5000,
      }),
      events: new CorrelatingEventRecorder({
        sink: new InMemoryEventSink().sink,
        clock: systemClock,
        log,
      }),
      namespaced: true,
      defaultNamespace: NS,
      log,
      registry: createRegistry({ defaultMetrics: false }),
      clock: systemClock,
      rng: new SeededRng(1),
      timers: systemTimers,
      settings: { backoff: { initialMs: 50, maxMs: 200, factor: 2 } },
    });
    void parts.run(stop.signal);
    const replicas = (): number =>
      (api.get('apps/v1', 'Deployment', NS, 'llama-3-8b')?.spec as { replicas: number }).replicas;
    // 40 running per pod against a target of 8: more replicas (KPA caps each step's growth).
    await waitFor(() => replicas() > 2, 'the Deployment scaled up', 60_000);
    expect(replicas()).toBeLessThanOrEqual(10);
    const statusOf = () =>
      api.get(API, 'PodAutoscaler', NS, 'llama-3-8b-autoscaler')?.status as
        PodAutoscalerStatus | undefined;
    // The status is written after the scale.
    const status = await waitFor(
      () => ((statusOf()?.scalingHistory ?? []).length > 0 ? statusOf() : undefined),
      'the scale in the status',
      60_000,
    );
    expect(status!.metricValues?.[0]).toMatchObject({ value: 40, target: 8 });
    expect(status!.scalingHistory?.at(-1)).toMatchObject({ previousScale: 2, success: true });
  }, 120_000);
});
