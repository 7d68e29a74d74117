/**
 * The RayClusterFleet controller against the fake API server with KubeRay's RayCluster CRD: the
 * leader's real adapters and wiring (buildAdapters + buildFleets), a test loop playing KubeRay
 * (it marks one new RayCluster ready at a time), and the rollout watched at every step.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createKubeClients } from '../../../src/kube/adapters/index.js';
import { buildAdapters, leaderConfigSpec } from '../../../src/leader/index.js';
import { buildFleets } from '../../../src/leader/fleet-wiring.js';
import { systemTimers } from '../../../src/controllers/index.js';
import {
  createRegistry,
  loadConfig,
  silentLogger,
  systemClock,
  systemRng,
} from '../../../src/shared/index.js';
import { loadCrds, loadRayClusterCrd } from '../../helpers/crds.js';
import { FakeKubeApiServer, type KubeObject } from '../../helpers/kube-api-server.js';
import { eventually } from '../../helpers/kube-builders.js';
import { aFleetSpec, rolling } from '../../helpers/fleet-builders.js';

const NS = 'default';
let server: FakeKubeApiServer;
let stop: AbortController;

beforeEach(async () => {
  server = await FakeKubeApiServer.start();
  for (const crd of loadCrds()) server.addCrd(crd);
  server.addCrd(loadRayClusterCrd());
  stop = new AbortController();
});

afterEach(async () => {
  stop.abort();
  await server.close();
});

async function startLeaderParts(): Promise<void> {
  const config = loadConfig(leaderConfigSpec, 'LEADER', {
    env: {
      INFERNODE_LEADER_DISCOVERY: 'kubernetes',
      POD_NAMESPACE: NS,
      INFERNODE_AGENT_TOKEN: 'agent-token-0123456789',
    },
  });
  const adapters = await buildAdapters(config, {}, silentLogger(), createRegistry(), {
    kubeClients: createKubeClients(server.kubeConfig()),
  });
  const parts = buildFleets({
    config,
    adapters,
    log: silentLogger(),
    registry: createRegistry(),
    clock: systemClock,
    rng: systemRng,
    timers: systemTimers,
  });
  for (const part of [adapters.source, ...parts]) void part.run(stop.signal);
}

const clusters = (): KubeObject[] => server.list('ray.io/v1', 'RayCluster', NS);
const hashOf = (c: KubeObject): string => c.metadata.labels?.['infernode.io/template-hash'] ?? '';
const isReady = (c: KubeObject): boolean =>
  (c as { status?: { state?: string } }).status?.state === 'ready';
const fleet = (): KubeObject & { status?: Record<string, unknown> } =>
  server.get('infernode.io/v1alpha1', 'RayClusterFleet', NS, 'llama') as KubeObject & {
    status?: Record<string, unknown>;
  };

/** Plays KubeRay: marks one not-ready cluster ready. Returns false when none is waiting. */
function readyOne(): boolean {
  const waiting = clusters().find((c) => !isReady(c) && c.metadata.deletionTimestamp === undefined);
  if (waiting === undefined) return false;
  server.put({ ...waiting, status: { state: 'ready' } });
  return true;
}

function putFleet(image: string, over: Record<string, unknown> = {}): void {
  const spec = aFleetSpec(3, { strategy: rolling(1, 0), ...over });
  const template = structuredClone(spec.template) as {
    spec: { headGroupSpec: { template: { spec: { containers: { image: string }[] } } } };
  };
  template.spec.headGroupSpec.template.spec.containers[0]!.image = image;
  const current = server.get('infernode.io/v1alpha1', 'RayClusterFleet', NS, 'llama');
  server.put({
    apiVersion: 'infernode.io/v1alpha1',
    kind: 'RayClusterFleet',
    metadata: {
      ...(current?.metadata ?? {}),
      name: 'llama',
      namespace: NS,
      labels: { 'model.infernode.io/name': 'llama' },
    },
    spec: { ...spec, template },
    ...(current === undefined ? {} : { status: (current as { status?: unknown }).status }),
  });
}

describe('RayClusterFleet controller', () => {
  it('scales to 3, then rolls a template change out new-before-old within maxSurge 1 / maxUnavailable 0', async () => {
    putFleet('vllm:1');
    await startLeaderParts();
    // Scale up: three clusters, each made ready by "KubeRay".
    await eventually(() => {
      readyOne();
      return (
        clusters().length === 3 &&
        clusters().every(isReady) &&
        fleet().status?.availableReplicas === 3
      );
    }, 20_000);
    const first = hashOf(clusters()[0]!);
    expect(clusters().every((c) => hashOf(c) === first)).toBe(true);
    // Head pods carry the model label, so discovery serves them as engines.
    const head = (
      clusters()[0] as {
        spec?: {
          headGroupSpec?: { template?: { metadata?: { labels?: Record<string, string> } } };
        };
      }
    ).spec;
    expect(head?.headGroupSpec?.template?.metadata?.labels?.['model.infernode.io/name']).toBe(
      'llama',
    );

    putFleet('vllm:2');
    let most = 0;
    await eventually(() => {
      const live = clusters().filter((c) => c.metadata.deletionTimestamp === undefined);
      most = Math.max(most, live.length);
      expect(live.length).toBeLessThanOrEqual(4);
      expect(live.filter(isReady).length).toBeGreaterThanOrEqual(3);
      readyOne();
      return live.length === 3 && live.every((c) => hashOf(c) !== first && isReady(c));
    }, 30_000);
    expect(most).toBe(4);
    await eventually(() => {
      const status = fleet().status ?? {};
      const progressing = (
        status.conditions as { type: string; reason?: string }[] | undefined
      )?.find((c) => c.type === 'Progressing');
      return status.updatedReplicas === 3 && progressing?.reason === 'NewReplicaSetAvailable';
    }, 20_000);
    expect(server.list('apps/v1', 'ControllerRevision', NS)).toHaveLength(2);
  }, 60_000);

  it('a template KubeRay would reject gets ReplicaFailure InvalidSpec and creates nothing', async () => {
    server.put({
      apiVersion: 'infernode.io/v1alpha1',
      kind: 'RayClusterFleet',
      metadata: { name: 'llama', namespace: NS },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'llama' } },
        template: { metadata: { labels: { app: 'llama' } }, spec: {} },
      },
    });
    await startLeaderParts();
    await eventually(() => {
      const conditions = (fleet().status?.conditions ?? []) as {
        type: string;
        reason?: string;
      }[];
      return conditions.some((c) => c.type === 'ReplicaFailure' && c.reason === 'InvalidSpec');
    }, 20_000);
    expect(clusters()).toHaveLength(0);
  }, 30_000);
});
