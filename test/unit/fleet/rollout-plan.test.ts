import { describe, expect, it } from 'vitest';
import {
  planRollout,
  type FleetAction,
  type FleetPlan,
  type FleetPlanInput,
} from '../../../src/fleet/index.js';
import {
  aCluster,
  aFleetSpec,
  clustersOf,
  FleetSimulation,
  rolling,
} from '../../helpers/fleet-builders.js';

const NOW = 1_000_000;

function plan(over: Partial<FleetPlanInput> & Pick<FleetPlanInput, 'spec'>): FleetPlan {
  return planRollout({
    generation: 1,
    templateHash: 'new',
    revisions: [
      { hash: 'old', revision: 1 },
      { hash: 'new', revision: 2 },
    ],
    clusters: [],
    nowMs: NOW,
    ...over,
  });
}

const creates = (p: FleetPlan, hash?: string): number =>
  p.actions
    .filter((a): a is Extract<FleetAction, { kind: 'create' }> => a.kind === 'create')
    .filter((a) => hash === undefined || a.hash === hash)
    .reduce((n, a) => n + a.count, 0);
const deletes = (p: FleetPlan): readonly string[] =>
  p.actions.flatMap((a) => (a.kind === 'delete' ? a.clusters : []));
const cond = (p: FleetPlan, type: string) => p.status.conditions?.find((c) => c.type === type);

describe('planRollout: the first step of a rolling update (all old clusters available)', () => {
  it.each([
    // maxSurge, maxUnavailable, replicas → creates, deletes (Deployment grows first, else shrinks)
    [1, 0, 3, 1, 0],
    [0, 1, 3, 0, 1],
    [0, 0, 3, 0, 1],
    [2, 2, 3, 2, 0],
    ['25%', '25%', 10, 3, 0],
    ['50%', 0, 3, 2, 0],
    [0, '50%', 4, 0, 2],
    ['10%', '10%', 3, 1, 0],
    ['0%', '0%', 5, 0, 1],
  ])('maxSurge %s maxUnavailable %s, %i replicas → %i created, %i deleted', (s, u, n, c, d) => {
    const p = plan({
      spec: aFleetSpec(n, { strategy: rolling(s, u) }),
      clusters: clustersOf('o', 'old', n),
    });
    expect(creates(p, 'new')).toBe(c);
    expect(deletes(p)).toHaveLength(d);
  });

  it('does not shrink old clusters while the surge is not yet available', () => {
    const clusters = [
      ...clustersOf('o', 'old', 3),
      aCluster('n-0', 'new', { ready: false, createdMs: NOW }),
    ];
    const p = plan({ spec: aFleetSpec(3, { strategy: rolling(1, 0) }), clusters });
    expect(p.actions.filter((a) => a.kind === 'create' || a.kind === 'delete')).toEqual([]);
  });

  it('removes an unavailable old cluster before an available one', () => {
    const clusters = [
      ...clustersOf('o', 'old', 2),
      aCluster('o-sick', 'old', { ready: false, createdMs: -5 }),
      aCluster('n-0', 'new', { createdMs: NOW }),
    ];
    const p = plan({ spec: aFleetSpec(3, { strategy: rolling(1, 0) }), clusters });
    expect(deletes(p)[0]).toBe('o-sick');
  });
});

describe('planRollout: whole rollouts, step by step', () => {
  it.each([
    [1, 0, 3],
    [0, 1, 3],
    ['25%', '25%', 4],
    [2, 1, 5],
  ])('maxSurge %s maxUnavailable %s: %i replicas end all new within the bounds', (s, u, n) => {
    const spec = aFleetSpec(n, { strategy: rolling(s, u) });
    const sim = new FleetSimulation(spec, 'new', clustersOf('o', 'old', n), [
      { hash: 'old', revision: 1 },
    ]);
    const surge = typeof s === 'number' ? s : Math.ceil((n * parseInt(s)) / 100);
    const unavailable = typeof u === 'number' ? u : Math.floor((n * parseInt(u)) / 100);
    for (
      let i = 0;
      i < 40 && !(sim.count('new') === n && sim.count() === n && sim.ready() === n);
      i++
    ) {
      sim.step();
      expect(sim.count()).toBeLessThanOrEqual(n + surge);
      expect(sim.ready()).toBeGreaterThanOrEqual(n - Math.max(unavailable, surge === 0 ? 1 : 0));
      sim.nowMs += 1000;
      sim.makeReady();
    }
    expect(sim.count('new')).toBe(n);
    expect(sim.count()).toBe(n);
    sim.step();
    expect(sim.status?.conditions?.find((c) => c.type === 'Progressing')?.reason).toBe(
      'NewReplicaSetAvailable',
    );
    expect(sim.revisions).toContainEqual({ kind: 'recordRevision', hash: 'new', revision: 2 });
  });

  it('Recreate: deletes every old cluster, waits for them to be gone, then creates the new ones', () => {
    const spec = aFleetSpec(3, { strategy: { type: 'Recreate' } });
    const first = plan({ spec, clusters: clustersOf('o', 'old', 3) });
    expect(deletes(first)).toHaveLength(3);
    expect(creates(first)).toBe(0);

    const leaving = [aCluster('o-0', 'old', { deleting: true })];
    const waiting = plan({ spec, clusters: leaving });
    expect(creates(waiting)).toBe(0);

    const after = plan({ spec, clusters: [] });
    expect(creates(after, 'new')).toBe(3);
  });
});

describe('planRollout: pause, scaling and rollback', () => {
  it('paused: a template change starts no rollout and Progressing is Unknown (DeploymentPaused)', () => {
    const p = plan({
      spec: aFleetSpec(3, { paused: true, strategy: rolling(1, 0) }),
      templateHash: 'newer',
      clusters: clustersOf('o', 'old', 3),
    });
    expect(p.actions.filter((a) => a.kind !== 'recordScale')).toEqual([]);
    expect(cond(p, 'Progressing')).toMatchObject({ status: 'Unknown', reason: 'DeploymentPaused' });
  });

  it('paused: scaling still applies (to the only live revision)', () => {
    const p = plan({
      spec: aFleetSpec(5, { paused: true, strategy: rolling(1, 0) }),
      templateHash: 'newer',
      clusters: clustersOf('o', 'old', 3),
    });
    expect(creates(p, 'old')).toBe(2);
    expect(creates(p, 'newer')).toBe(0);
  });

  it('resuming turns Progressing to DeploymentResumed, then the rollout moves', () => {
    const paused = plan({
      spec: aFleetSpec(3, { paused: true, strategy: rolling(1, 0) }),
      clusters: clustersOf('o', 'old', 3),
    });
    const resumed = plan({
      spec: aFleetSpec(3, { strategy: rolling(1, 0) }),
      clusters: clustersOf('o', 'old', 3),
      status: paused.status,
    });
    expect(creates(resumed, 'new')).toBe(1);
    expect(cond(resumed, 'Progressing')).toMatchObject({
      status: 'Unknown',
      reason: 'DeploymentResumed',
    });
    // The next look sees the surge cluster: progress, so the deadline clock starts.
    const moving = plan({
      spec: aFleetSpec(3, { strategy: rolling(1, 0) }),
      clusters: [...clustersOf('o', 'old', 3), aCluster('n-0', 'new', { ready: false })],
      status: resumed.status,
    });
    expect(cond(moving, 'Progressing')).toMatchObject({
      status: 'True',
      reason: 'ReplicaSetUpdated',
    });
  });

  it('scales proportionally mid-rollout (the Kubernetes docs example: 10 → 15, surge 3)', () => {
    const clusters = [
      ...clustersOf('o', 'old', 8),
      ...Array.from({ length: 5 }, (_, i) =>
        aCluster(`n-${i}`, 'new', { ready: false, createdMs: NOW }),
      ),
    ];
    const p = plan({
      spec: aFleetSpec(15, { strategy: rolling(3, 2) }),
      clusters,
      lastScale: { desiredReplicas: 10, maxReplicas: 13 },
    });
    expect(creates(p, 'old')).toBe(3);
    expect(creates(p, 'new')).toBe(2);
    expect(p.actions).toContainEqual({
      kind: 'recordScale',
      scale: { desiredReplicas: 15, maxReplicas: 18 },
    });
  });

  it('scaling down takes not-ready first, then lower deletion cost, then the most recently ready', () => {
    const clusters = [
      aCluster('a', 'new', { ready: false, createdMs: 1 }),
      aCluster('b', 'new', { deletionCost: 10, createdMs: 2 }),
      aCluster('c', 'new', { createdMs: 5 }),
      aCluster('d', 'new', { createdMs: 9 }),
      aCluster('e', 'new', { deletionCost: -5, createdMs: 3 }),
    ];
    const p = plan({
      spec: aFleetSpec(2, { strategy: rolling(1, 0) }),
      clusters,
      lastScale: { desiredReplicas: 5, maxReplicas: 6 },
    });
    expect(deletes(p)).toEqual(['a', 'e', 'd']);
  });

  it('rolls back to the previous revision (0) and to a named one; refuses unknown and current', () => {
    const revisions = [
      { hash: 'r1', revision: 1 },
      { hash: 'r2', revision: 2 },
      { hash: 'r3', revision: 3 },
    ];
    const spec = aFleetSpec(3, { strategy: rolling(1, 0) });
    const base = { spec, revisions, templateHash: 'r3', clusters: clustersOf('c', 'r3', 3) };
    expect(plan({ ...base, rollbackTo: 0 }).actions).toEqual([
      { kind: 'rollback', hash: 'r2', revision: 2 },
    ]);
    expect(plan({ ...base, rollbackTo: 1 }).actions).toEqual([
      { kind: 'rollback', hash: 'r1', revision: 1 },
    ]);
    const missing = plan({ ...base, rollbackTo: 7 });
    expect(missing.actions).toEqual([{ kind: 'clearRollback' }]);
    expect(missing.events[0]?.reason).toBe('RollbackRevisionNotFound');
    expect(plan({ ...base, rollbackTo: 3 }).events[0]?.reason).toBe('RollbackTemplateUnchanged');
    const paused = plan({ ...base, spec: { ...spec, paused: true }, rollbackTo: 1 });
    expect(paused.actions.some((a) => a.kind === 'rollback' || a.kind === 'clearRollback')).toBe(
      false,
    );
  });

  it('a rollback renumbers the restored template as the newest revision and rolls it out', () => {
    const spec = aFleetSpec(2, { strategy: rolling(1, 0) });
    const sim = new FleetSimulation(spec, 'r2', clustersOf('c', 'r2', 2), [
      { hash: 'r1', revision: 1 },
      { hash: 'r2', revision: 2 },
    ]);
    sim.rollbackTo = 0;
    sim.step();
    expect(sim.hash).toBe('r1');
    const next = sim.step();
    expect(next.actions).toContainEqual({ kind: 'recordRevision', hash: 'r1', revision: 3 });
    expect(creates(next, 'r1')).toBe(1);
  });
});

describe('planRollout: status, deadlines and bad input', () => {
  it('reports counts, Available and the scale selector', () => {
    const clusters = [...clustersOf('o', 'old', 2), aCluster('n-0', 'new', { ready: false })];
    const p = plan({ spec: aFleetSpec(3, { strategy: rolling(1, 1) }), clusters });
    expect(p.status).toMatchObject({
      observedGeneration: 1,
      replicas: 3,
      updatedReplicas: 1,
      readyReplicas: 2,
      availableReplicas: 2,
      scalingTargetSelector: 'app=llama',
    });
    expect(cond(p, 'Available')).toMatchObject({
      status: 'True',
      reason: 'MinimumReplicasAvailable',
    });
  });

  it('turns Progressing False with ProgressDeadlineExceeded when nothing moves past the deadline', () => {
    const spec = aFleetSpec(1, { strategy: rolling(1, 0), progressDeadlineSeconds: 60 });
    const stuck = [
      aCluster('o-0', 'old'),
      aCluster('n-0', 'new', { ready: false, createdMs: NOW }),
    ];
    const first = plan({ spec, clusters: stuck });
    expect(cond(first, 'Progressing')?.status).toBe('True');
    expect(first.requeueAfterMs).toBe(61_000);
    const later = plan({ spec, clusters: stuck, status: first.status, nowMs: NOW + 61_000 });
    expect(cond(later, 'Progressing')).toMatchObject({
      status: 'False',
      reason: 'ProgressDeadlineExceeded',
    });
    expect(later.events.map((e) => e.reason)).toContain('ProgressDeadlineExceeded');
  });

  it('counts a cluster available only after minReadySeconds, and asks to look again then', () => {
    const spec = aFleetSpec(1, { strategy: rolling(1, 0), minReadySeconds: 30 });
    const clusters = [aCluster('n-0', 'new', { readySinceMs: NOW - 10_000 })];
    const p = plan({ spec, clusters });
    expect(p.status.availableReplicas).toBe(0);
    expect(p.requeueAfterMs).toBe(20_000);
    expect(plan({ spec, clusters, nowMs: NOW + 20_000 }).status.availableReplicas).toBe(1);
  });

  it.each([
    [
      'no head group',
      { template: { metadata: { labels: { app: 'llama' } }, spec: { workerGroupSpecs: [] } } },
      'headGroupSpec',
    ],
    [
      'a selector that misses the template',
      { selector: { matchLabels: { app: 'other' } } },
      'selector',
    ],
    ['a maxSurge that is not a percentage', { strategy: rolling('1', 0) }, 'maxSurge'],
  ])('plans nothing for %s and says why (ReplicaFailure InvalidSpec)', (_c, over, word) => {
    const p = plan({ spec: aFleetSpec(0, over), clusters: clustersOf('o', 'old', 3) });
    expect(p.actions).toEqual([]);
    expect(cond(p, 'ReplicaFailure')).toMatchObject({ status: 'True', reason: 'InvalidSpec' });
    expect(cond(p, 'ReplicaFailure')?.message).toContain(word);
    expect(p.events[0]?.reason).toBe('InvalidSpec');
  });

  it('prunes history beyond revisionHistoryLimit once the rollout is complete', () => {
    const p = plan({
      spec: aFleetSpec(2, { strategy: rolling(1, 0), revisionHistoryLimit: 1 }),
      revisions: [
        { hash: 'a', revision: 1 },
        { hash: 'b', revision: 2 },
        { hash: 'new', revision: 3 },
      ],
      clusters: clustersOf('n', 'new', 2),
    });
    expect(p.actions).toContainEqual({ kind: 'pruneRevisions', hashes: ['a'] });
  });
});
