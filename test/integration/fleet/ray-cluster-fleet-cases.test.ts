/**
 * The RayClusterFleet controller's harder cases against the fake API server with KubeRay's
 * RayCluster CRD (the leader's real adapters and wiring, a KubeRay stand-in marking clusters
 * ready): Recreate, paused, progressDeadlineSeconds, rollback through the resource,
 * revisionHistoryLimit pruning of ControllerRevisions, and a template the server refuses. Every
 * ordering claim is checked on the server's own history of RayCluster writes.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadCrds, loadRayClusterCrd } from '../../helpers/crds.js';
import { aFleetSpec, rolling } from '../../helpers/fleet-builders.js';
import {
  fleetCondition,
  getFleet,
  startFleetLeader,
  withImage,
  writeFleet,
} from '../../helpers/fleet-leader.js';
import { FakeKubeApiServer, type KubeObject } from '../../helpers/kube-api-server.js';
import { eventually } from '../../helpers/kube-builders.js';
import {
  KubeRayStandIn,
  liveCount,
  rayClusterTimeline,
  readyCount,
} from '../../helpers/kuberay-stand-in.js';

const NS = 'default';
const NAME = 'llama';
let server: FakeKubeApiServer;
let stop: AbortController;
let kuberay: KubeRayStandIn;

beforeEach(async () => {
  server = await FakeKubeApiServer.start();
  for (const crd of loadCrds()) server.addCrd(crd);
  server.addCrd(loadRayClusterCrd());
  stop = new AbortController();
  kuberay = new KubeRayStandIn(server, { namespace: NS, readyAfterMs: 30 });
  kuberay.start();
});

afterEach(async () => {
  kuberay.stop();
  stop.abort();
  await server.close();
});

const FAST = {
  INFERNODE_LEADER_CONTROLLERS_BACKOFF_INITIAL_MS: '100',
  INFERNODE_LEADER_CONTROLLERS_BACKOFF_MAX_MS: '1000',
};

const clusters = (): KubeObject[] => server.list('ray.io/v1', 'RayCluster', NS);
const hashOf = (c: KubeObject): string => c.metadata.labels?.['infernode.io/template-hash'] ?? '';
const isReady = (c: KubeObject): boolean =>
  (c as { status?: { state?: string } }).status?.state === 'ready';
const revisions = (): KubeObject[] => server.list('apps/v1', 'ControllerRevision', NS);
const revisionOf = (r: KubeObject): number => (r as unknown as { revision: number }).revision;
const imageOf = (c: KubeObject): string =>
  (
    c as unknown as {
      spec: { headGroupSpec: { template: { spec: { containers: { image: string }[] } } } };
    }
  ).spec.headGroupSpec.template.spec.containers[0]!.image;

/** Waits until `count` ready clusters all run `image` and the fleet's status says so. */
async function settledOn(image: string, count: number): Promise<void> {
  await eventually(() => {
    const all = clusters();
    const status = getFleet(server, NS, NAME).status;
    return (
      all.length === count &&
      all.every((c) => isReady(c) && imageOf(c) === image) &&
      status?.updatedReplicas === count &&
      status.availableReplicas === count &&
      status.observedGeneration === getFleet(server, NS, NAME).metadata.generation &&
      fleetCondition(server, NS, NAME, 'Progressing')?.reason === 'NewReplicaSetAvailable'
    );
  }, 30_000);
}

describe('RayClusterFleet controller cases', () => {
  it('Recreate deletes every old cluster before it creates any new one', async () => {
    const spec = aFleetSpec(2, { strategy: { type: 'Recreate' } });
    writeFleet(server, NS, NAME, withImage(spec, 'vllm:1'));
    await startFleetLeader(server, NS, stop.signal, FAST);
    await settledOn('vllm:1', 2);
    const oldHash = hashOf(clusters()[0]!);

    writeFleet(server, NS, NAME, withImage(spec, 'vllm:2'));
    await settledOn('vllm:2', 2);
    const steps = rayClusterTimeline(server, NS);
    const lastOldGone = steps.findLastIndex(
      (s) => s.event === 'DELETED' && (s.live.get(oldHash) ?? 0) === 0,
    );
    const firstNew = steps.findIndex(
      (s) => s.event === 'ADDED' && [...s.live.keys()].some((h) => h !== oldHash),
    );
    expect(lastOldGone).toBeGreaterThan(0);
    expect(firstNew).toBeGreaterThan(lastOldGone);
    // At no step did old and new clusters exist together.
    expect(steps.filter((s) => s.live.size > 1)).toEqual([]);
  }, 60_000);

  it('a template change while paused rolls nothing; unpausing rolls it out', async () => {
    const spec = aFleetSpec(2, { strategy: rolling(1, 0) });
    writeFleet(server, NS, NAME, withImage(spec, 'vllm:1'));
    await startFleetLeader(server, NS, stop.signal, FAST);
    await settledOn('vllm:1', 2);
    const before = rayClusterTimeline(server, NS).length;

    writeFleet(server, NS, NAME, { ...withImage(spec, 'vllm:2'), paused: true });
    const pausedGeneration = getFleet(server, NS, NAME).metadata.generation;
    await eventually(
      () =>
        getFleet(server, NS, NAME).status?.observedGeneration === pausedGeneration &&
        fleetCondition(server, NS, NAME, 'Progressing')?.reason === 'DeploymentPaused',
      30_000,
    );
    // The controller has seen the paused template: no RayCluster was written since.
    expect(rayClusterTimeline(server, NS)).toHaveLength(before);
    expect(clusters().map(imageOf)).toEqual(['vllm:1', 'vllm:1']);
    expect(getFleet(server, NS, NAME).status?.updatedReplicas).toBe(0);

    writeFleet(server, NS, NAME, { ...withImage(spec, 'vllm:2'), paused: false });
    await settledOn('vllm:2', 2);
  }, 60_000);

  it('new clusters that never become ready: ProgressDeadlineExceeded, old clusters kept', async () => {
    const spec = aFleetSpec(2, { strategy: rolling(1, 0), progressDeadlineSeconds: 1 });
    writeFleet(server, NS, NAME, withImage(spec, 'vllm:1'));
    await startFleetLeader(server, NS, stop.signal, FAST);
    await settledOn('vllm:1', 2);
    const oldHash = hashOf(clusters()[0]!);

    kuberay.setReady(false);
    writeFleet(server, NS, NAME, withImage(spec, 'vllm:broken'));
    await eventually(() => {
      const c = fleetCondition(server, NS, NAME, 'Progressing');
      return c?.status === 'False' && c.reason === 'ProgressDeadlineExceeded';
    }, 30_000);
    const live = clusters().filter((c) => c.metadata.deletionTimestamp === undefined);
    expect(live.filter((c) => hashOf(c) === oldHash && isReady(c))).toHaveLength(2);
    expect(live.filter((c) => hashOf(c) !== oldHash && !isReady(c))).toHaveLength(1);
    expect(getFleet(server, NS, NAME).status?.availableReplicas).toBe(2);
    // Never fewer than two ready clusters after the first rollout, at any observed write.
    const steps = rayClusterTimeline(server, NS);
    const settled = steps.findIndex((s) => readyCount(s) === 2);
    expect(steps.slice(settled).filter((s) => readyCount(s) < 2)).toEqual([]);
    expect(Math.max(...steps.map(liveCount))).toBe(3);
    const warnings = server
      .list('v1', 'Event', NS)
      .filter((e) => (e as { reason?: string }).reason === 'ProgressDeadlineExceeded');
    expect(warnings.length).toBeGreaterThan(0);
  }, 60_000);

  it('rolls back to a revision through the infernode.io/rollback-to annotation', async () => {
    const spec = aFleetSpec(2, { strategy: rolling(1, 0) });
    writeFleet(server, NS, NAME, withImage(spec, 'vllm:1'));
    await startFleetLeader(server, NS, stop.signal, FAST);
    await settledOn('vllm:1', 2);
    const firstHash = hashOf(clusters()[0]!);
    writeFleet(server, NS, NAME, withImage(spec, 'vllm:2'));
    await settledOn('vllm:2', 2);
    expect(revisions().map(revisionOf).sort()).toEqual([1, 2]);

    // Ask for revision 1 (what `kubectl annotate rayclusterfleet llama infernode.io/rollback-to=1` does).
    writeFleet(server, NS, NAME, getFleet(server, NS, NAME).spec, {
      annotations: {
        ...getFleet(server, NS, NAME).metadata.annotations,
        'infernode.io/rollback-to': '1',
      },
    });
    await eventually(
      () => imageOf(getFleet(server, NS, NAME).spec.template as never) === 'vllm:1',
      30_000,
    );
    await settledOn('vllm:1', 2);
    expect(clusters().every((c) => hashOf(c) === firstHash)).toBe(true);
    expect(getFleet(server, NS, NAME).metadata.annotations?.['infernode.io/rollback-to']).toBe(
      undefined,
    );
    // Revision 1's template is current again, so it is renumbered to the newest revision.
    const byHash = new Map(
      revisions().map((r) => [r.metadata.labels?.['infernode.io/template-hash'], revisionOf(r)]),
    );
    expect(byHash.get(firstHash)).toBe(3);
    expect(
      server
        .list('v1', 'Event', NS)
        .some((e) => (e as { reason?: string }).reason === 'DeploymentRollback'),
    ).toBe(true);
  }, 90_000);

  it('prunes ControllerRevisions beyond revisionHistoryLimit, oldest first', async () => {
    const spec = aFleetSpec(1, { strategy: rolling(1, 0), revisionHistoryLimit: 1 });
    writeFleet(server, NS, NAME, withImage(spec, 'vllm:1'));
    await startFleetLeader(server, NS, stop.signal, FAST);
    await settledOn('vllm:1', 1);
    writeFleet(server, NS, NAME, withImage(spec, 'vllm:2'));
    await settledOn('vllm:2', 1);
    writeFleet(server, NS, NAME, withImage(spec, 'vllm:3'));
    await settledOn('vllm:3', 1);
    // The current revision plus one old one (the limit); revision 1 is gone.
    await eventually(() => revisions().length === 2, 30_000);
    expect(revisions().map(revisionOf).sort()).toEqual([2, 3]);
  }, 90_000);

  it('a template the server refuses: ReplicaFailure FailedCreate, backed-off retries, recovery once fixed', async () => {
    // Passes the controller's own checks, but a container without a name is invalid in KubeRay's
    // CRD (it embeds the Kubernetes PodTemplateSpec schema, where containers[].name is required).
    const spec = aFleetSpec(1, { strategy: rolling(1, 0) });
    const bad = structuredClone(spec) as unknown as {
      template: { spec: { headGroupSpec: { template: { spec: { containers: object[] } } } } };
    };
    bad.template.spec.headGroupSpec.template.spec.containers = [{ image: 'vllm:1' }];
    writeFleet(server, NS, NAME, bad as never);
    await startFleetLeader(server, NS, stop.signal, {
      INFERNODE_LEADER_CONTROLLERS_BACKOFF_INITIAL_MS: '200',
      INFERNODE_LEADER_CONTROLLERS_BACKOFF_MAX_MS: '2000',
    });
    const at = (method: string, suffix: string): number[] =>
      server.requests
        .filter((r) => r.method === method && r.path.endsWith(suffix))
        .map((r) => r.atMs);
    const creates = (): number[] => at('POST', '/rayclusters');
    await eventually(() => {
      const c = fleetCondition(server, NS, NAME, 'ReplicaFailure');
      return c?.status === 'True' && c.reason === 'FailedCreate' && creates().length >= 9;
    }, 30_000);
    expect(fleetCondition(server, NS, NAME, 'ReplicaFailure')?.message).toMatch(
      /containers\/0 must have required property 'name'/,
    );
    expect(clusters()).toHaveLength(0);
    // The controller's own first writes (revision, bookkeeping, status) wake it a few times at
    // once, as client-go's do; after that only the per-key backoff does (200 ms doubling to
    // 2 s, jittered down to half): from the 6th failure on every retry waits at least 1 s. Before the
    // status stopped churning, retries came every ~80 ms for as long as the fleet stayed bad.
    const gaps = creates()
      .slice(6, 9)
      .map((t, i, all) => (i === 0 ? undefined : t - all[i - 1]!))
      .filter((g): g is number => g !== undefined);
    expect(gaps).toHaveLength(2);
    for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(500);

    writeFleet(server, NS, NAME, withImage(spec, 'vllm:1'));
    await settledOn('vllm:1', 1);
    expect(fleetCondition(server, NS, NAME, 'ReplicaFailure')).toBe(undefined);
  }, 60_000);
});
