/**
 * Routing through a fleet's head pods: a RayClusterFleet labelled with a model name creates
 * RayClusters whose head pod template carries the model and port labels; a KubeRay stand-in runs
 * each cluster's pods as KubeRay labels them (`ray.io/node-type`, `ray.io/cluster`), and the
 * leader's Kubernetes discovery finds each head pod as an engine on the head's engine port,
 * never a worker pod — even one whose template was given the model label too.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { EngineEndpoint } from '../../../src/discovery/index.js';
import { loadCrds, loadRayClusterCrd } from '../../helpers/crds.js';
import { aFleetSpec, rolling } from '../../helpers/fleet-builders.js';
import { startFleetLeader, writeFleet } from '../../helpers/fleet-leader.js';
import { FakeKubeApiServer } from '../../helpers/kube-api-server.js';
import { eventually } from '../../helpers/kube-builders.js';
import { KubeRayStandIn } from '../../helpers/kuberay-stand-in.js';

const NS = 'default';
let server: FakeKubeApiServer;
let stop: AbortController;
let kuberay: KubeRayStandIn;

beforeEach(async () => {
  server = await FakeKubeApiServer.start();
  for (const crd of loadCrds()) server.addCrd(crd);
  server.addCrd(loadRayClusterCrd());
  stop = new AbortController();
  kuberay = new KubeRayStandIn(server, { namespace: NS, readyAfterMs: 20, pods: true });
  kuberay.start();
});

afterEach(async () => {
  kuberay.stop();
  stop.abort();
  await server.close();
});

describe('a RayClusterFleet served through its head pods', () => {
  it('discovers each head pod as an engine on the engine port; worker pods are never engines', async () => {
    const spec = aFleetSpec(2, { strategy: rolling(1, 0) });
    // Two workers per cluster, their template wrongly labelled with the model as well.
    const template = structuredClone(spec.template) as {
      spec: {
        workerGroupSpecs: { replicas: number; template: { metadata?: object } }[];
      };
    };
    template.spec.workerGroupSpecs[0]!.replicas = 2;
    template.spec.workerGroupSpecs[0]!.template.metadata = {
      labels: { 'model.infernode.io/name': 'llama-70b' },
    };
    writeFleet(
      server,
      NS,
      'llama',
      { ...spec, template },
      {
        labels: { 'model.infernode.io/name': 'llama-70b', 'model.infernode.io/port': '8100' },
      },
    );
    const { source } = await startFleetLeader(server, NS, stop.signal);

    await eventually(() => {
      const found = source.current().endpoints;
      return found.length === 2 && found.every((e) => e.ready);
    }, 30_000);
    const engines = source.current().endpoints;
    const pods = server.list('v1', 'Pod', NS);
    expect(pods.filter((p) => p.metadata.labels?.['ray.io/node-type'] === 'worker')).toHaveLength(
      4,
    );
    const clusters = server.list('ray.io/v1', 'RayCluster', NS).map((c) => c.metadata.name);
    expect(clusters).toHaveLength(2);
    const expected = (cluster: string): Partial<EngineEndpoint> => ({
      id: `${NS}/${cluster}-head`,
      model: 'llama-70b',
      ready: true,
    });
    expect(engines.map((e) => e.id).sort()).toEqual(clusters.map((c) => `${NS}/${c}-head`).sort());
    for (const e of engines) {
      const cluster = e.labels?.['ray.io/cluster'] ?? '';
      expect(e).toMatchObject(expected(cluster));
      expect(e.labels?.['ray.io/node-type']).toBe('head');
      expect(e.url).toMatch(/^http:\/\/10\.1\.\d+\.\d+:8100$/);
    }
  }, 60_000);
});
