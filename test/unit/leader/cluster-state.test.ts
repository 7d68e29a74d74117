import { describe, expect, it } from 'vitest';
import { ClusterStateStore } from '../../../src/leader/index.js';
import { ManualClock } from '../../helpers/manual-clock.js';
import type { EngineEndpoint } from '../../../src/discovery/index.js';
import type { EngineReport } from '../../../src/protocol/index.js';

const endpoint = (
  node: string,
  name: string,
  gpus: number[] | undefined,
  model = 'm',
): EngineEndpoint => ({
  id: `${node}/${name}`,
  name: `${node}-${name}`,
  model,
  url: `http://127.0.0.1:1/${name}`,
  node,
  engine: 'vllm',
  gpuIndices: gpus,
  ready: true,
});
const report = (id: string, ready = true, adapters: string[] = []): EngineReport => ({
  id,
  model: 'm',
  url: 'u',
  ready,
  adapters,
});

function setup() {
  const clock = new ManualClock();
  const store = new ClusterStateStore({ clock, staleAfterMs: 1000 });
  store.setDiscovery({
    endpoints: [
      endpoint('a', 'e0', [0]),
      endpoint('a', 'e1', [1]),
      endpoint('b', 'e0', undefined),
      endpoint('b', 'x', undefined, 'other'),
    ],
    resources: [],
  });
  return { clock, store };
}

describe('ClusterStateStore', () => {
  it('keeps discovered engines without any agent, flagged stale', () => {
    const { store } = setup();
    expect(
      store.endpointsForModel('m').map((s) => [s.endpoint.id, s.stale, s.agentSaysDown]),
    ).toEqual([
      ['a/e0', true, false],
      ['a/e1', true, false],
      ['b/e0', true, false],
    ]);
    expect(store.readyModels()).toEqual(['m', 'other']);
  });

  it('turns fresh with a report, stale again when the report ages or the agent is lost', () => {
    const { store, clock } = setup();
    store.applySnapshot('a', '1', { engines: [report('a/e0'), report('a/e1')], gpus: [] });
    expect(store.endpointsForModel('m')[0]!.stale).toBe(false);
    clock.advance(1001);
    expect(store.endpointsForModel('m')[0]!.stale).toBe(true);
    store.applyDelta('a', { v: 1, type: 'state', seq: 2, engines: [report('a/e0')] });
    expect(store.endpointsForModel('m')[0]!.stale).toBe(false);
    store.markAgentLost('a');
    const lost = store.endpointsForModel('m')[0]!;
    expect(lost.stale).toBe(true);
    expect(lost.endpoint.ready).toBe(true);
  });

  it('writes a new report into the kept one: a new state, the same report with the new values', () => {
    const { store } = setup();
    const metrics = (running: number) => ({
      scrape: { numRequestsRunning: running, ttftSeconds: { sum: running, count: 1 } },
      scrapedAtMs: running,
    });
    const withMetrics = (ready: boolean, running: number) =>
      ({ ...report('a/e0', ready), metrics: metrics(running) }) as unknown as EngineReport;
    store.applySnapshot('a', '1', { engines: [withMetrics(true, 1)], gpus: [] });
    const first = store.endpointsForModel('m')[0]!;
    const kept = first.report!;
    store.applyDelta('a', { v: 1, type: 'state', seq: 2, engines: [withMetrics(false, 7)] });
    const second = store.endpointsForModel('m')[0]!;
    expect(second).not.toBe(first); // derived again: the record's revision changed
    expect(second.agentSaysDown).toBe(true);
    expect(second.report).toBe(kept);
    expect(second.report).toEqual(withMetrics(false, 7));
  });

  it('keeps an engine its agent reported down, down after the report turns stale or the agent is lost', () => {
    const { store, clock } = setup();
    store.applySnapshot('a', '1', { engines: [report('a/e0', false), report('a/e1')], gpus: [] });
    expect(store.endpointsForModel('m')[0]!.agentSaysDown).toBe(true);
    clock.advance(5000);
    const aged = store.endpointsForModel('m')[0]!;
    expect([aged.stale, aged.agentSaysDown]).toEqual([true, true]);
    store.markAgentLost('a');
    expect(store.endpointsForModel('m')[0]!.agentSaysDown).toBe(true);
    expect(store.endpointsForModel('m')[1]!.agentSaysDown).toBe(false);
    store.applySnapshot('a', '1', { engines: [report('a/e0'), report('a/e1')], gpus: [] });
    expect(store.endpointsForModel('m')[0]!.agentSaysDown).toBe(false);
  });

  it('marks engines on a failed GPU, or the whole node when the mapping is unknown, and tells listeners at once', () => {
    const { store } = setup();
    const events: string[] = [];
    store.onChange((reason, node) => events.push(`${reason}:${node}`));
    store.applySnapshot('a', '1', { engines: [report('a/e0'), report('a/e1')], gpus: [] });
    store.applySnapshot('b', '1', { engines: [report('b/e0')], gpus: [] });
    store.applyDelta('a', {
      v: 1,
      type: 'state',
      seq: 2,
      gpus: [{ index: 1, uuid: 'g1', health: 'failed', reasons: ['xid 79'] }],
      urgent: true,
    });
    store.applyDelta('b', {
      v: 1,
      type: 'state',
      seq: 2,
      gpus: [{ index: 3, uuid: 'g3', health: 'failed', reasons: ['ecc'] }],
    });
    const failed = Object.fromEntries(store.endpoints().map((s) => [s.endpoint.id, s.gpuFailed]));
    expect(failed).toEqual({ 'a/e0': false, 'a/e1': true, 'b/e0': true, 'b/x': true });
    expect(events).toContain('urgent:a');
  });

  it('lists adapters loaded on ready engines', () => {
    const { store } = setup();
    store.applySnapshot('a', '1', {
      engines: [report('a/e0', true, ['sql']), report('a/e1', false, ['down-only'])],
      gpus: [],
    });
    expect([...(store.readyAdapters().get('m') ?? [])]).toEqual(['sql']);
  });

  it('refuses a new undiscovered node only when the bound is reached and every one is connected', () => {
    const store = new ClusterStateStore({ clock: new ManualClock(), maxUndiscoveredNodes: 1 });
    expect(store.applySnapshot('x', '1', { engines: [], gpus: [] })).toBe(true);
    expect(store.applySnapshot('y', '1', { engines: [], gpus: [] })).toBe(false);
    // A node discovery knows is never refused for that bound.
    store.setDiscovery({ endpoints: [endpoint('a', 'e0', [0])], resources: [] });
    expect(store.applySnapshot('a', '1', { engines: [], gpus: [] })).toBe(true);
    // Once the undiscovered one is gone, its record makes room for the next.
    store.markAgentLost('x');
    expect(store.applySnapshot('y', '1', { engines: [], gpus: [] })).toBe(true);
    expect(
      store
        .nodes()
        .map((n) => n.node)
        .sort(),
    ).toEqual(['a', 'y']);
  });

  it('forgets a node gone from discovery once its agent has been away past the grace period', () => {
    const { clock, store } = setup();
    const empty = { engines: [], gpus: [] };
    store.applySnapshot('a', '1', empty);
    store.applySnapshot('b', '1', empty);
    store.markAgentLost('a');
    store.markAgentLost('b');
    // b leaves discovery; a stays: a is kept however long its agent is away.
    store.setDiscovery({ endpoints: [endpoint('a', 'e0', [0])], resources: [] });
    clock.advance(599_999);
    expect(store.nodes().map((n) => n.node)).toEqual(['a', 'b']);
    clock.advance(1);
    expect(store.nodes().map((n) => n.node)).toEqual(['a']);
    clock.advance(3_600_000);
    expect(store.nodes().map((n) => n.node)).toEqual(['a']);
  });

  it('keeps a connected node that discovery does not know, and a reconnect restarts the grace period', () => {
    const clock = new ManualClock();
    const store = new ClusterStateStore({ clock, forgetAfterMs: 1000 });
    store.applySnapshot('x', '1', { engines: [], gpus: [] });
    clock.advance(5000);
    expect(store.nodes().map((n) => n.node)).toEqual(['x']);
    store.markAgentLost('x');
    clock.advance(900);
    store.applySnapshot('x', '1', { engines: [], gpus: [] });
    clock.advance(900);
    expect(store.nodes().map((n) => n.node)).toEqual(['x']);
  });

  it('holds a bounded table under a stream of one-off node names', () => {
    const clock = new ManualClock();
    const store = new ClusterStateStore({ clock, maxUndiscoveredNodes: 50 });
    for (let i = 0; i < 20_000; i++) {
      expect(store.applySnapshot(`n${i}`, '1', { engines: [], gpus: [] })).toBe(true);
      store.markAgentLost(`n${i}`);
      clock.advance(10);
    }
    expect(store.nodes().length).toBeLessThanOrEqual(50);
  });
});
