/**
 * An e2e RayClusterFleet rollout (issue #16): the leader process from the build in Kubernetes
 * mode against the fake API server with KubeRay's RayCluster CRD, a KubeRay stand-in in this
 * process marking each new RayCluster ready a little after it appears. A 3-replica fleet's
 * template changes; every RayCluster write the server received is replayed and checked: never
 * more than replicas + maxSurge live clusters, never fewer than replicas − maxUnavailable ready,
 * new clusters up before old ones go; the fleet's status says the rollout is complete. Each case
 * has its own namespace, so each timeline holds only its fleet's clusters.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RayClusterFleetSpec } from '../../src/fleet/index.js';
import { freePorts } from '../helpers/cluster-files.js';
import { loadCrds, loadRayClusterCrd } from '../helpers/crds.js';
import { aFleetSpec, rolling } from '../helpers/fleet-builders.js';
import { fleetCondition, getFleet, withImage, writeFleet } from '../helpers/fleet-leader.js';
import { FakeKubeApiServer, type KubeObject } from '../helpers/kube-api-server.js';
import { aPod } from '../helpers/kube-builders.js';
import {
  KubeRayStandIn,
  liveCount,
  rayClusterTimeline,
  readyCount,
  type RayClusterStep,
} from '../helpers/kuberay-stand-in.js';
import { waitFor } from '../helpers/wait-for.js';

const LEADER_NS = 'infernode-system';
const FLEET_NAMESPACES = ['fleet-a', 'fleet-b'];
const NAME = 'llama';
let api: FakeKubeApiServer;
let leader: ChildProcess | undefined;
const standIns: KubeRayStandIn[] = [];
const logs: string[] = [];

const killLeader = (): void => {
  if (leader?.exitCode === null && leader.signalCode === null) leader.kill('SIGKILL');
};
process.on('exit', killLeader);

beforeAll(async () => {
  api = await FakeKubeApiServer.start();
  for (const crd of loadCrds()) api.addCrd(crd);
  api.addCrd(loadRayClusterCrd());
  api.put(aPod('leader-0', LEADER_NS).onNode('node-a').ready().withIp('127.0.0.1').build());
  for (const namespace of FLEET_NAMESPACES) {
    // Slow enough that a rollout takes several steps, each one visible in the history.
    const standIn = new KubeRayStandIn(api, { namespace, readyAfterMs: 150 });
    standIn.start();
    standIns.push(standIn);
  }
  const dir = mkdtempSync(join(tmpdir(), 'infernode-fleet-e2e-'));
  const kubeconfig = join(dir, 'kubeconfig.yaml');
  writeFileSync(
    kubeconfig,
    `apiVersion: v1\nkind: Config\nclusters: [{name: fake, cluster: {server: "${api.url}", insecure-skip-tls-verify: true}}]\nusers: [{name: t, user: {token: test-token}}]\ncontexts: [{name: fake, context: {cluster: fake, user: t}}]\ncurrent-context: fake\n`,
  );
  const [gateway, control] = await freePorts(2);
  leader = spawn(
    process.execPath,
    [
      'dist/cli/main.js',
      'leader',
      '--discovery',
      'kubernetes',
      '--identity',
      'leader-0',
      '--gateway-port',
      String(gateway),
      '--control-port',
      String(control),
    ],
    {
      env: {
        ...process.env,
        KUBECONFIG: kubeconfig,
        POD_NAMESPACE: LEADER_NS,
        INFERNODE_CLUSTER_SECRET: 'e2e-agent-token-0123456789',
        INFERNODE_LEADER_KUBE_WATCH_NAMESPACES: FLEET_NAMESPACES.join(','),
        INFERNODE_LEADER_CONTROLLERS_BACKOFF_INITIAL_MS: '100',
        INFERNODE_LEADER_CONTROLLERS_BACKOFF_MAX_MS: '1000',
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    },
  );
  leader.stderr?.on('data', (d: Buffer) => {
    if (logs.length < 5000) logs.push(d.toString());
  });
});

afterAll(async () => {
  if (process.env.INFERNODE_TEST_DEBUG !== undefined) console.log(logs.join(''));
  for (const s of standIns) s.stop();
  killLeader();
  process.off('exit', killLeader);
  await api.close();
});

const isReady = (c: KubeObject): boolean =>
  (c as { status?: { state?: string } }).status?.state === 'ready';
const hashOf = (c: KubeObject): string => c.metadata.labels?.['infernode.io/template-hash'] ?? '';

/** Waits until `replicas` ready clusters of one template run and the fleet's status says so. */
async function settled(ns: string, replicas: number, what: string): Promise<string> {
  await waitFor(
    () => {
      const live = api
        .list('ray.io/v1', 'RayCluster', ns)
        .filter((c) => c.metadata.deletionTimestamp === undefined);
      const fleet = getFleet(api, ns, NAME);
      const status = fleet.status;
      return (
        live.length === replicas &&
        live.every(isReady) &&
        new Set(live.map(hashOf)).size === 1 &&
        status !== undefined &&
        status.observedGeneration === fleet.metadata.generation &&
        status.replicas === replicas &&
        status.updatedReplicas === replicas &&
        status.readyReplicas === replicas &&
        status.availableReplicas === replicas &&
        fleetCondition(api, ns, NAME, 'Progressing')?.reason === 'NewReplicaSetAvailable'
      );
    },
    what,
    60_000,
  );
  return hashOf(api.list('ray.io/v1', 'RayCluster', ns)[0]!);
}

/**
 * Rolls `spec` from image vllm:1 to vllm:2 in `ns` and returns the steps written after the
 * template change, with the old and new template hashes.
 */
async function rollOut(
  ns: string,
  spec: RayClusterFleetSpec,
): Promise<{ steps: RayClusterStep[]; oldHash: string; newHash: string }> {
  writeFleet(api, ns, NAME, withImage(spec, 'vllm:1'));
  const oldHash = await settled(ns, spec.replicas ?? 1, `${ns}: 3 ready clusters of vllm:1`);
  const before = rayClusterTimeline(api, ns).length;
  writeFleet(api, ns, NAME, withImage(spec, 'vllm:2'));
  const newHash = await settled(ns, spec.replicas ?? 1, `${ns}: 3 ready clusters of vllm:2`);
  expect(newHash).not.toBe(oldHash);
  return { steps: rayClusterTimeline(api, ns).slice(before), oldHash, newHash };
}

/** The checks every rolling update must pass, step by step. */
function checkEveryStep(
  steps: RayClusterStep[],
  bounds: { most: number; leastReady: number },
  oldHash: string,
  newHash: string,
): void {
  expect(steps.length).toBeGreaterThan(0);
  const broken = steps.filter(
    (s) => liveCount(s) > bounds.most || readyCount(s) < bounds.leastReady,
  );
  expect(broken).toEqual([]);
  // The surge was used: a fourth cluster existed at some step.
  expect(Math.max(...steps.map(liveCount))).toBe(bounds.most);
  // New before old: each time an old cluster went, more new ones were ready than before.
  let oldLive = 3;
  let goneSoFar = 0;
  for (const s of steps) {
    const nowOld = s.live.get(oldHash) ?? 0;
    if (nowOld < oldLive) {
      goneSoFar += oldLive - nowOld;
      expect(s.ready.get(newHash) ?? 0).toBeGreaterThanOrEqual(goneSoFar);
    }
    oldLive = nowOld;
  }
  const last = steps.at(-1)!;
  expect(last.live.get(oldHash) ?? 0).toBe(0);
  expect(last.ready.get(newHash)).toBe(3);
}

/** The fleet's status and conditions after a complete rollout. */
function checkStatus(ns: string): void {
  const fleet = getFleet(api, ns, NAME);
  expect(fleet.status).toMatchObject({
    observedGeneration: fleet.metadata.generation,
    replicas: 3,
    updatedReplicas: 3,
    readyReplicas: 3,
    availableReplicas: 3,
  });
  expect(fleetCondition(api, ns, NAME, 'Available')).toMatchObject({ status: 'True' });
  expect(fleetCondition(api, ns, NAME, 'Progressing')).toMatchObject({
    status: 'True',
    reason: 'NewReplicaSetAvailable',
  });
  expect(fleetCondition(api, ns, NAME, 'ReplicaFailure')?.status ?? 'False').toBe('False');
}

describe('RayClusterFleet rollout (leader process, fake API server, KubeRay stand-in)', () => {
  it('maxSurge 1, maxUnavailable 0: never over 4 clusters, never under 3 ready, new before old', async () => {
    const ns = FLEET_NAMESPACES[0]!;
    const { steps, oldHash, newHash } = await rollOut(
      ns,
      aFleetSpec(3, { strategy: rolling(1, 0) }),
    );
    checkEveryStep(steps, { most: 4, leastReady: 3 }, oldHash, newHash);
    checkStatus(ns);
  }, 120_000);

  it('25%/25% of 3 resolves as Kubernetes does (surge rounds up to 1, unavailable down to 0)', async () => {
    const ns = FLEET_NAMESPACES[1]!;
    const { steps, oldHash, newHash } = await rollOut(
      ns,
      aFleetSpec(3, { strategy: rolling('25%', '25%') }),
    );
    // Surge rounded down would be 0 (never a 4th cluster); unavailable rounded up would be 1
    // (a step with only 2 ready): both are caught here.
    checkEveryStep(steps, { most: 4, leastReady: 3 }, oldHash, newHash);
    checkStatus(ns);
  }, 120_000);
});
