import { describe, expect, it } from 'vitest';
import { ClusterStateStore } from '../../../src/leader/cluster-state.js';
import { ReplicaFeedApplier } from '../../../src/leader/replica-feed-applier.js';
import { ReplicaPrefixLog } from '../../../src/leader/replica-prefix-log.js';
import type {
  EngineReport,
  PrefixInsertion,
  ReplicaDelta,
  ReplicaNode,
  ReplicaWelcomeMessage,
} from '../../../src/protocol/index.js';
import { ManualClock } from '../../helpers/manual-clock.js';

const report = (id: string, ready = true): EngineReport => ({
  id,
  model: 'm',
  url: 'u',
  ready,
  adapters: [],
});
const healthy = { index: 0, uuid: 'GPU-0', health: 'healthy' as const, reasons: [] };

/** A store whose discovery lists nodes a and b, each with one engine of model m. */
function discoveredStore(): ClusterStateStore {
  const store = new ClusterStateStore({ clock: new ManualClock(), staleAfterMs: 1000 });
  store.setDiscovery({
    endpoints: ['a', 'b'].map((node) => ({
      id: `${node}/e0`,
      name: `${node}-e0`,
      model: 'm',
      url: `http://127.0.0.1:1/${node}`,
      node,
      engine: 'vllm' as const,
      gpuIndices: [0],
      ready: true,
    })),
    resources: [],
  });
  return store;
}

/** The leader's store, its agents on nodes a and b having said hello. */
function leader(): ClusterStateStore {
  const store = discoveredStore();
  for (const node of ['a', 'b'])
    store.applySnapshot(node, '1', { engines: [report(`${node}/e0`)], gpus: [healthy] });
  return store;
}

function follower() {
  const store = discoveredStore();
  const prefixes: PrefixInsertion[] = [];
  const applier = new ReplicaFeedApplier({ store, prefix: (p) => prefixes.push(p) });
  return { store, applier, prefixes };
}

function welcomeFrom(nodes: ReplicaNode[], seq: number, log = new ReplicaPrefixLog(4)) {
  const welcome: ReplicaWelcomeMessage = {
    v: 1,
    type: 'replica.welcome',
    leader: 'leader-0',
    epoch: 3,
    seq,
    nodes,
    prefixes: log.recent(),
  };
  return welcome;
}

const byId = (store: ClusterStateStore) =>
  Object.fromEntries(store.endpoints().map((s) => [s.endpoint.id, s]));

describe('replica feed: snapshot and deltas', () => {
  it("a welcome built from the leader's store gives the follower the same routing view", () => {
    const leading = leader();
    leading.applyDelta('b', { v: 1, type: 'state', seq: 2, engines: [report('b/e0', false)] });
    leading.markAgentLost('a');
    const { store, applier } = follower();
    expect(applier.apply(welcomeFrom(leading.replicaNodes(), 7))).toBe('applied');
    expect(applier.leader).toEqual({ leader: 'leader-0', epoch: 3 });
    const view = byId(store);
    expect(view['b/e0']?.agentSaysDown).toBe(true);
    expect(view['a/e0']?.stale).toBe(true); // its agent is lost on the leader
    expect(store.nodes().find((n) => n.node === 'a')?.connected).toBe(false);
  });

  it('applies deltas in order: an urgent GPU failure and an engine going down reach routing', () => {
    const { store, applier } = follower();
    applier.apply(welcomeFrom(leader().replicaNodes(), 10));
    const urgent: string[] = [];
    store.onChange((reason) => urgent.push(reason));
    const failed: ReplicaDelta = {
      v: 1,
      type: 'replica.state',
      seq: 11,
      node: 'a',
      delta: {
        v: 1,
        type: 'state',
        seq: 5,
        gpus: [{ ...healthy, health: 'failed' }],
        urgent: true,
      },
    };
    expect(applier.apply(failed)).toBe('applied');
    expect(byId(store)['a/e0']?.gpuFailed).toBe(true);
    expect(urgent).toContain('urgent');
    const down: ReplicaDelta = {
      v: 1,
      type: 'replica.state',
      seq: 12,
      node: 'a',
      delta: { v: 1, type: 'state', seq: 6, engines: [report('a/e0', false)] },
    };
    applier.apply(down);
    expect(byId(store)['a/e0']?.agentSaysDown).toBe(true);
    applier.apply({ v: 1, type: 'replica.lost', seq: 13, node: 'a' });
    expect(store.nodes()[0]?.connected).toBe(false);
  });

  it('refuses a delta before the welcome and a delta after a gap (the caller resyncs)', () => {
    const { applier, store } = follower();
    const delta: ReplicaDelta = { v: 1, type: 'replica.lost', seq: 1, node: 'a' };
    expect(applier.apply(delta)).toBe('not-welcomed');
    applier.apply(welcomeFrom([], 1));
    expect(applier.apply({ ...delta, seq: 3 })).toBe('gap');
    expect(applier.apply({ ...delta, seq: 2 })).toBe('applied');
    // A stale duplicate is a gap too: the feed never replays.
    expect(applier.apply({ ...delta, seq: 2 })).toBe('gap');
    expect(store.nodes()).toEqual([]);
  });

  it('a fresh welcome marks nodes the leader no longer reports as lost (resync)', () => {
    const { applier, store } = follower();
    applier.apply(welcomeFrom(leader().replicaNodes(), 1));
    new ReplicaFeedApplier({ store }).apply(welcomeFrom([], 9)); // the leader forgot both

    expect(store.nodes().find((n) => n.node === 'a')?.connected).toBe(false);
  });

  it('replays the recent prefix insertions, oldest first, within the log bound', () => {
    const log = new ReplicaPrefixLog(2);
    for (const endpoint of ['a/e0', 'b/e0', 'a/e0']) log.add({ endpoint, hashes: [1, 2] });
    const { applier, prefixes } = follower();
    applier.apply(welcomeFrom([], 0, log));
    expect(prefixes.map((p) => p.endpoint)).toEqual(['b/e0', 'a/e0']);
    applier.apply({
      v: 1,
      type: 'replica.prefix',
      seq: 1,
      insertions: [{ endpoint: 'x', hashes: [9] }],
    });
    expect(prefixes.at(-1)).toEqual({ endpoint: 'x', hashes: [9] });
  });

  it("the store's welcome nodes: the agents' reports as written in place, forgotten nodes left out", () => {
    const clock = new ManualClock();
    const store = new ClusterStateStore({ clock, forgetAfterMs: 1000 }); // nothing discovered
    store.applySnapshot('a', '1', { engines: [report('a/e0')], gpus: [healthy] });
    store.applySnapshot('b', '2', { engines: [report('b/e0')], gpus: [healthy] });
    const failed = [{ ...healthy, health: 'failed' as const }];
    store.applyDelta('a', { v: 1, type: 'state', seq: 2, engines: [report('a/e0', false)] });
    store.applyDelta('a', { v: 1, type: 'state', seq: 3, gpus: failed, removedEngines: [] });
    store.markAgentLost('b');
    expect(store.replicaNodes()).toEqual([
      {
        node: 'a',
        agentVersion: '1',
        connected: true,
        snapshot: { engines: [report('a/e0', false)], gpus: failed },
      },
      {
        node: 'b',
        agentVersion: '2',
        connected: false,
        snapshot: { engines: [report('b/e0')], gpus: [healthy] },
      },
    ]);
    clock.advance(1001); // b's agent away past forgetAfterMs, and discovery never listed it
    expect(store.replicaNodes().map((n) => n.node)).toEqual(['a']);
  });
});
