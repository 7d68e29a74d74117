/**
 * A PodAutoscaler on a RayClusterFleet (issue #16), against the fake API server with KubeRay's
 * RayCluster CRD: the leader's PodAutoscaling parts with the real K8sScaleClient change the
 * fleet's spec.replicas through its `/scale` subresource, and the leader's fleet controller
 * (buildAdapters + buildFleets) follows with RayClusters, which a KubeRay stand-in marks ready.
 * Engine load comes from the head pods discovery finds (the stand-in runs each cluster's pods),
 * which count only because the fleet's scale selector claims them. A fleet at zero is still
 * known by its model (the fleet's own labels or its head pod template), so a held request
 * scales it from zero.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  parseLabelSelectorString,
  type PodAutoscalerStatus,
} from '../../../src/autoscaling/index.js';
import type { ClusterView, CustomResource, EngineEndpoint } from '../../../src/discovery/index.js';
import { scaleTargetOf } from '../../../src/kube/index.js';
import {
  K8sScaleClient,
  createKubeClients,
  type KubeClients,
} from '../../../src/kube/adapters/index.js';
import { ClusterStateStore } from '../../../src/leader/index.js';
import type { PodAutoscaling } from '../../../src/leader/autoscaling-wiring.js';
import type { EngineReport } from '../../../src/protocol/index.js';
import { systemClock } from '../../../src/shared/index.js';
import { loadCrds, loadRayClusterCrd } from '../../helpers/crds.js';
import { aFleetSpec, rolling } from '../../helpers/fleet-builders.js';
import { FLEET_API, getFleet, startFleetLeader, writeFleet } from '../../helpers/fleet-leader.js';
import { startKubePodAutoscaling } from '../../helpers/kube-pod-autoscaling.js';
import { FakeKubeApiServer, type KubeObject } from '../../helpers/kube-api-server.js';
import { KubeRayStandIn } from '../../helpers/kuberay-stand-in.js';
import { waitFor } from '../../helpers/wait-for.js';

const NS = 'ml';
const NAME = 'llama';
const MODEL_LABEL = 'model.infernode.io/name';
const FAST = {
  INFERNODE_LEADER_CONTROLLERS_BACKOFF_INITIAL_MS: '100',
  INFERNODE_LEADER_CONTROLLERS_BACKOFF_MAX_MS: '1000',
};

const report = (e: EngineEndpoint, running: number): EngineReport => ({
  id: e.id,
  model: e.model,
  url: e.url,
  ready: true,
  adapters: [],
  metrics: { scrape: { numRequestsRunning: running }, window: { windowMs: 0 } } as never,
});

/** A PodAutoscaler (HPA on engine load, target 10 running per engine) on the fleet. */
const autoscaler = (minReplicas: number): KubeObject => ({
  apiVersion: FLEET_API,
  kind: 'PodAutoscaler',
  metadata: { name: 'llama-pa', namespace: NS },
  spec: {
    scaleTargetRef: { apiVersion: FLEET_API, kind: 'RayClusterFleet', name: NAME },
    minReplicas,
    maxReplicas: 4,
    scalingStrategy: 'HPA',
    metricsSources: [
      { metricSourceType: 'engine', targetMetric: 'num_requests_running', targetValue: '10' },
    ],
  },
});

describe('PodAutoscaler on a RayClusterFleet (fake API server, KubeRay stand-in)', () => {
  let server: FakeKubeApiServer;
  let clients: KubeClients;
  let stop: AbortController;
  let kuberay: KubeRayStandIn;

  beforeEach(async () => {
    server = await FakeKubeApiServer.start();
    for (const crd of loadCrds()) server.addCrd(crd);
    server.addCrd(loadRayClusterCrd());
    clients = createKubeClients(server.kubeConfig());
    stop = new AbortController();
    kuberay = new KubeRayStandIn(server, { namespace: NS, readyAfterMs: 30, pods: true });
    kuberay.start();
  });

  afterEach(async () => {
    kuberay.stop();
    stop.abort();
    await server.close();
  });

  /** Starts the PodAutoscaling parts; each engine `engines` names now reports `running`. */
  function startAutoscaling(
    running: number,
    engines: () => readonly EngineEndpoint[],
  ): PodAutoscaling {
    const endpoints = engines();
    const view = (): ClusterView => ({
      endpoints: engines(),
      resources: server.list(FLEET_API, 'PodAutoscaler', NS) as unknown as CustomResource[],
    });
    const store = new ClusterStateStore({ clock: systemClock, staleAfterMs: 600_000 });
    store.setDiscovery(view());
    for (const e of endpoints)
      store.applySnapshot(e.node, 'test', { engines: [report(e, running)], gpus: [] });
    const parts = startKubePodAutoscaling({
      clients,
      view,
      store,
      namespace: NS,
      signal: stop.signal,
    });
    return parts;
  }

  const readyClusters = (): KubeObject[] =>
    server
      .list('ray.io/v1', 'RayCluster', NS)
      .filter(
        (c) =>
          c.metadata.deletionTimestamp === undefined &&
          (c as { status?: { state?: string } }).status?.state === 'ready',
      );
  const statusOf = (): PodAutoscalerStatus | undefined =>
    server.get(FLEET_API, 'PodAutoscaler', NS, 'llama-pa')?.status as
      PodAutoscalerStatus | undefined;

  it('high engine load scales the fleet through /scale and the fleet controller creates the RayClusters', async () => {
    writeFleet(server, NS, NAME, aFleetSpec(2, { strategy: rolling(1, 0) }), {
      labels: { [MODEL_LABEL]: 'llama' },
    });
    const { source } = await startFleetLeader(server, NS, stop.signal, FAST);
    await waitFor(
      () =>
        source.current().endpoints.length === 2 &&
        getFleet(server, NS, NAME).status?.scalingTargetSelector !== undefined,
      'two head pods discovered as engines and the scale selector written',
      30_000,
    );
    server.put(autoscaler(1));
    // The 2 discovered head pods at 40 running, target 10 per engine: 8 wanted, capped by
    // maxReplicas 4. The engines count only when the fleet's scale selector claims them.
    startAutoscaling(40, () => source.current().endpoints);
    await waitFor(() => getFleet(server, NS, NAME).spec.replicas === 4, 'spec.replicas 4', 30_000);
    await waitFor(
      () =>
        readyClusters().length === 4 &&
        getFleet(server, NS, NAME).status?.readyReplicas === 4 &&
        getFleet(server, NS, NAME).status?.observedGeneration ===
          getFleet(server, NS, NAME).metadata.generation,
      'the fleet controller following with 4 ready RayClusters',
      30_000,
    );
    await waitFor(() => statusOf()?.desiredScale === 4, 'PodAutoscaler desiredScale 4', 30_000);
    expect(statusOf()?.scalingHistory?.at(-1)).toMatchObject({
      previousScale: 2,
      newScale: 4,
      success: true,
    });
    // Scaling is not a template change: one revision, every cluster of the same template.
    expect(server.list('apps/v1', 'ControllerRevision', NS)).toHaveLength(1);
  }, 60_000);

  it("the fleet's scale selector claims its head pods, the engines its engine sources read", async () => {
    // The selector of the scale subresource is the fleet's spec.selector, which selects
    // RayClusters; KubeRay puts a cluster's own labels on none of its pods.
    writeFleet(server, NS, NAME, aFleetSpec(2), { labels: { [MODEL_LABEL]: 'llama' } });
    const { source } = await startFleetLeader(server, NS, stop.signal, FAST);
    await waitFor(
      () =>
        source.current().endpoints.length === 2 &&
        getFleet(server, NS, NAME).status?.scalingTargetSelector !== undefined,
      'two head pods discovered and the scale selector written',
      30_000,
    );
    const selector = getFleet(server, NS, NAME).status!.scalingTargetSelector!;
    expect(selector).toBe('app=llama');
    const matches = parseLabelSelectorString(selector);
    for (const e of source.current().endpoints) expect(matches(e.labels ?? {})).toBe(true);
    const workers = server
      .list('v1', 'Pod', NS)
      .filter((p) => p.metadata.labels?.['ray.io/node-type'] === 'worker');
    expect(workers).toHaveLength(2);
    for (const w of workers) expect(matches(w.metadata.labels ?? {})).toBe(false);
  });

  it('a fleet at zero is known by the model on its own labels and scaled from zero by a held request', async () => {
    // No model label anywhere in the template: only on the fleet, as users label fleets.
    writeFleet(server, NS, NAME, aFleetSpec(0), { labels: { [MODEL_LABEL]: 'llama' } });
    await startFleetLeader(server, NS, stop.signal, FAST);
    server.put(autoscaler(0));
    const parts = startAutoscaling(0, () => []);
    await waitFor(
      () => parts.demand('llama', 1),
      'the held request reaching the autoscaler',
      30_000,
    );
    expect(parts.expectedModels()).toEqual([{ model: 'llama' }]);
    expect(parts.demand('mistral', 1)).toBe(false);
    await waitFor(
      () => (getFleet(server, NS, NAME).spec.replicas ?? 0) >= 1,
      'the fleet off zero',
      30_000,
    );
    await waitFor(() => readyClusters().length >= 1, 'a ready RayCluster', 30_000);
  }, 60_000);

  it("reads a fleet's model from its own labels before its head pod template's, and none when no label names one", async () => {
    const scale = new K8sScaleClient({ clients, requestTimeoutMs: 5000 });
    const target = scaleTargetOf(
      { apiVersion: FLEET_API, kind: 'RayClusterFleet', name: NAME },
      NS,
    );
    const spec = aFleetSpec(0);
    writeFleet(server, NS, NAME, spec);
    expect(await scale.templateModel(target, { signal: stop.signal })).toBeUndefined();

    const template = structuredClone(spec.template) as {
      spec: { headGroupSpec: { template: { metadata?: { labels?: Record<string, string> } } } };
    };
    template.spec.headGroupSpec.template.metadata = {
      labels: { 'model.aibrix.ai/name': 'deepseek-v3' },
    };
    writeFleet(server, NS, NAME, { ...spec, template });
    expect(await scale.templateModel(target, { signal: stop.signal })).toBe('deepseek-v3');
    // The fleet's own label wins, as it does on the head pods the controller creates.
    writeFleet(server, NS, NAME, { ...spec, template }, { labels: { [MODEL_LABEL]: 'llama' } });
    expect(await scale.templateModel(target, { signal: stop.signal })).toBe('llama');
  });
});
