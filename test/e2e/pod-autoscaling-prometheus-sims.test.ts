/**
 * The seed's PodAutoscaler (a KPA on `avg(vllm:num_requests_running)`, target 8, exactly as the
 * seed writes it but for apiVersion) deciding on real engines' load: two `infernode sim`
 * processes (the built CLI, real time) expose vLLM's /metrics, a real Prometheus (Debian's) scrapes
 * them, and the leader's PodAutoscaling parts query it and scale a Deployment on the fake API
 * server. Idle engines: the PodAutoscaler reads 0 and adds nothing. Then 20 long requests are
 * sent to each simulator: the query's average rises above the target and the Deployment grows.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PodAutoscalerStatus } from '../../src/autoscaling/index.js';
import {
  CorrelatingEventRecorder,
  InMemoryEventSink,
  systemTimers,
} from '../../src/controllers/index.js';
import type { CustomResource } from '../../src/discovery/index.js';
import {
  K8sResourceStatusStore,
  K8sScaleClient,
  createKubeClients,
} from '../../src/kube/adapters/index.js';
import { ClusterStateStore } from '../../src/leader/index.js';
import { PodAutoscaling } from '../../src/leader/autoscaling-wiring.js';
import {
  SeededRng,
  createRegistry,
  freePorts,
  silentLogger,
  systemClock,
} from '../../src/shared/index.js';
import { loadCrds } from '../helpers/crds.js';
import { FakeKubeApiServer, type KubeObject } from '../helpers/kube-api-server.js';
import { startPrometheus, type PrometheusProcess } from '../helpers/prometheus-process.js';
import { startCli, type CliProcess } from '../helpers/run-cli.js';
import { waitFor } from '../helpers/wait-for.js';

const API = 'infernode.io/v1alpha1';
const NS = 'ml';
const MODEL = 'llama-3-8b';
const QUERY = 'avg(vllm:num_requests_running)';
const REQUESTS_PER_SIM = 20;

describe('the seed PodAutoscaler on Prometheus scraping simulator processes', () => {
  const sims: CliProcess[] = [];
  let simUrls: string[] = [];
  let prometheus: PrometheusProcess | undefined;
  let api: FakeKubeApiServer;
  const stop = new AbortController();
  const load = new AbortController();

  beforeAll(async () => {
    const ports = await freePorts(2);
    simUrls = ports.map((p) => `http://127.0.0.1:${p}`);
    for (const port of ports)
      sims.push(startCli(['sim', '--port', String(port), '--model', MODEL, '--speed', '1']));
    for (const url of simUrls)
      await waitFor(
        async () => (await fetch(`${url}/health`).catch(() => undefined))?.status === 200,
        `simulator ${url} up`,
        60_000,
        100,
      );
    // Ready once both simulators have been scraped.
    prometheus = await startPrometheus(
      ports.map((p) => `127.0.0.1:${p}`),
      'count(vllm:num_requests_running) == 2',
    );
    api = await FakeKubeApiServer.start();
    for (const crd of loadCrds()) api.addCrd(crd);
  }, 120_000);

  afterAll(async () => {
    load.abort();
    stop.abort();
    await prometheus?.stop();
    for (const sim of sims) sim.child.kill('SIGTERM');
    await Promise.all(sims.map((s) => s.exited(20_000)));
    await api.close();
  });

  it('reads 0 while idle, then scales the Deployment up under load', async () => {
    api.put({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: MODEL, namespace: NS },
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
        prometheusUrl: prometheus!.url,
        sampleIntervalMs: 250,
        metricTimeoutMs: 5000,
        resyncIntervalMs: 250,
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
      (api.get('apps/v1', 'Deployment', NS, MODEL)?.spec as { replicas: number }).replicas;
    const statusOf = () =>
      api.get(API, 'PodAutoscaler', NS, 'llama-3-8b-autoscaler')?.status as
        PodAutoscalerStatus | undefined;
    const decidedOn = (): number | undefined => statusOf()?.metricValues?.[0]?.value;

    // Idle: the decision is made on the query's 0, and nothing is added.
    await waitFor(() => decidedOn() === 0, 'a decision on an idle average of 0', 60_000);
    expect(replicas()).toBeLessThanOrEqual(2);
    const idleReplicas = replicas();

    // Load: long generations held open on each simulator (aborted when the test ends).
    for (const url of simUrls)
      for (let i = 0; i < REQUESTS_PER_SIM; i++)
        void fetch(`${url}/v1/chat/completions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({
            model: MODEL,
            messages: [{ role: 'user', content: `request ${i}` }],
            max_tokens: 60_000,
            ignore_eos: true,
          }),
          signal: load.signal,
        }).catch(() => undefined);
    // Prometheus sees the load the simulators report.
    await waitFor(
      async () => Number((await prometheus!.query(QUERY))[0]?.value[1] ?? 0) >= REQUESTS_PER_SIM,
      `Prometheus reading ${REQUESTS_PER_SIM} running per engine`,
      60_000,
      250,
    );
    await waitFor(() => replicas() > idleReplicas, 'the Deployment scaled up', 90_000, 100);
    const status = await waitFor(
      () =>
        (statusOf()?.scalingHistory ?? []).some((h) => h.newScale > idleReplicas)
          ? statusOf()
          : undefined,
      'the scale-up in the status',
      60_000,
    );
    const up = status!.scalingHistory!.find((h) => h.newScale > idleReplicas)!;
    expect(up).toMatchObject({ previousScale: idleReplicas, success: true });
    expect(replicas()).toBeLessThanOrEqual(10);
    // The decision that scaled was made on the simulators' load (KPA reports its stable window,
    // which still holds the idle zeros, so only "above idle" is certain here).
    expect(status!.metricValues?.[0]?.target).toBe(8);
    expect(status!.metricValues![0]!.value).toBeGreaterThan(0);
  }, 240_000);
});
