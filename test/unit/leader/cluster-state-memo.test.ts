import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { ClusterStateStore } from '../../../src/leader/index.js';
import { ClusterEndpointCatalog } from '../../../src/leader/cluster-endpoint-catalog.js';
import { ManualClock } from '../../helpers/manual-clock.js';
import type { EngineEndpoint } from '../../../src/discovery/index.js';
import type { EngineReport, GpuHealthSummary } from '../../../src/protocol/index.js';

// The store keeps an engine's state object, and the catalog its gateway view, while nothing about
// the engine changed (issue #18: a pick over 1,000 engines built 1,000 objects). These tests check
// that every change that matters still shows at once, and that time alone turns data stale.
const endpoint = (node: string, name: string, gpus?: number[]): EngineEndpoint => ({
  id: `${node}/${name}`,
  name: `${node}-${name}`,
  model: 'm',
  url: `http://127.0.0.1:1/${node}/${name}`,
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
const gpu = (index: number, health: GpuHealthSummary['health']): GpuHealthSummary => ({
  index,
  uuid: `GPU-${index}`,
  health,
  reasons: [],
});

function setup() {
  const clock = new ManualClock();
  const store = new ClusterStateStore({ clock, staleAfterMs: 1000 });
  store.setDiscovery({
    endpoints: [endpoint('a', 'e0', [0]), endpoint('a', 'e1', [1]), endpoint('b', 'e0', [0])],
    resources: [],
  });
  const hello = (node: string, gpus = [gpu(0, 'healthy'), gpu(1, 'healthy')]) =>
    store.applySnapshot(node, 'v', {
      engines: [report(`${node}/e0`), report(`${node}/e1`)],
      gpus,
    });
  hello('a');
  hello('b');
  return { clock, store, catalog: new ClusterEndpointCatalog(store) };
}

describe('ClusterStateStore memoized engine states', () => {
  it('hands back the same objects while nothing changed, new ones for the node that changed', () => {
    const { store, catalog } = setup();
    const first = store.endpointsForModel('m');
    expect(store.endpointsForModel('m')).toEqual(first);
    store.endpointsForModel('m').forEach((s, i) => expect(s).toBe(first[i]));
    const views = catalog.lookup('m').endpoints;
    catalog.lookup('m').endpoints.forEach((e, i) => expect(e).toBe(views[i]));

    store.applyDelta('a', { v: 1, type: 'state', seq: 1, engines: [report('a/e0', false)] });
    const after = store.endpointsForModel('m');
    expect(after[0]).not.toBe(first[0]);
    expect(after[0]?.agentSaysDown).toBe(true);
    expect(after[2]).toBe(first[2]); // node b did not change
    const view = catalog.lookup('m').endpoints;
    expect(view.map((e) => e.clusterHealthy)).toEqual([false, true, true]);
    expect(view[2]).toBe(views[2]);
  });

  it('keeps the list of every engine too, patched where a node reported or time made it stale', () => {
    const { clock, store } = setup();
    const first = store.endpoints();
    expect(store.endpoints()).toBe(first);
    store.applyDelta('a', { v: 1, type: 'state', seq: 1, engines: [report('a/e1', false)] });
    const after = store.endpoints();
    expect(after.map((s) => s.agentSaysDown)).toEqual([false, true, false]);
    expect(after[2]).toBe(first[2]); // node b did not change
    clock.advance(1001);
    expect(store.endpoints().map((s) => s.stale)).toEqual([true, true, true]);
    store.setDiscovery({ endpoints: [endpoint('b', 'e0')], resources: [] });
    expect(store.endpoints().map((s) => s.endpoint.id)).toEqual(['b/e0']);
  });

  it('shows a GPU failure to the catalog at once, only on the engines using that GPU', () => {
    const { store, catalog } = setup();
    expect(catalog.lookup('m').endpoints.every((e) => e.clusterHealthy)).toBe(true);
    store.applyDelta('a', {
      v: 1,
      type: 'state',
      seq: 1,
      urgent: true,
      gpus: [gpu(0, 'failed'), gpu(1, 'healthy')],
    });
    expect(catalog.lookup('m').endpoints.map((e) => [e.id, e.clusterHealthy])).toEqual([
      ['a/e0', false],
      ['a/e1', true],
      ['b/e0', true],
    ]);
  });

  it('turns data stale with time alone, and fresh again on the next report', () => {
    const { clock, store, catalog } = setup();
    expect(catalog.lookup('m').endpoints.map((e) => e.stale)).toEqual([false, false, false]);
    clock.advance(1001);
    expect(catalog.lookup('m').endpoints.map((e) => e.stale)).toEqual([true, true, true]);
    store.applyDelta('b', { v: 1, type: 'state', seq: 1, engines: [] });
    expect(catalog.lookup('m').endpoints.map((e) => e.stale)).toEqual([true, true, false]);
    store.markAgentLost('b');
    expect(store.endpoint('b/e0')?.stale).toBe(true);
  });

  it('keeps the ready models and adapters in step with readiness, adapters and GPUs', () => {
    const { store, catalog } = setup();
    expect(store.readyModels()).toEqual(['m']);
    expect(catalog.lookup('lora-x').known).toBe(false);
    store.applyDelta('b', {
      v: 1,
      type: 'state',
      seq: 1,
      engines: [report('b/e0', true, ['lora-x'])],
    });
    expect(catalog.lookup('lora-x')).toMatchObject({ known: true, baseModel: 'm' });
    expect(catalog.models()).toEqual([
      { id: 'm', parent: undefined },
      { id: 'lora-x', parent: 'm' },
    ]);
    // A copy: changing it changes nothing the store keeps.
    store.readyAdapters().get('m')?.clear();
    expect(store.readyAdapters().get('m')).toEqual(new Set(['lora-x']));
    store.applyDelta('b', {
      v: 1,
      type: 'state',
      seq: 2,
      urgent: true,
      gpus: [gpu(0, 'failed')],
    });
    expect(catalog.lookup('lora-x').known).toBe(false);
    store.applyDelta('a', {
      v: 1,
      type: 'state',
      seq: 1,
      engines: [report('a/e0', false), report('a/e1', false)],
    });
    expect(store.readyModels()).toEqual([]);
    store.setDiscovery({ endpoints: [endpoint('c', 'e0')], resources: [] });
    expect(store.readyModels()).toEqual(['m']); // no agent said anything about c/e0
  });
});

describe('ClusterStateStore retention without a scan per hello', () => {
  it('still forgets an undiscovered node once its agent has been away long enough', () => {
    const clock = new ManualClock();
    const store = new ClusterStateStore({ clock, forgetAfterMs: 10_000 });
    store.setDiscovery({ endpoints: [endpoint('a', 'e0')], resources: [] });
    store.applySnapshot('stray', 'v', { engines: [], gpus: [] });
    store.applySnapshot('a', 'v', { engines: [], gpus: [] });
    expect(store.forgetGoneNodes()).toEqual([]);
    store.markAgentLost('stray');
    clock.advance(9_999);
    store.applySnapshot('a', 'v', { engines: [], gpus: [] });
    expect(store.node('stray')?.connected).toBe(false);
    clock.advance(1);
    expect(store.forgetGoneNodes()).toEqual(['stray']);
    // A node discovery drops is forgotten on the next look once its own time has passed.
    store.markAgentLost('a');
    clock.advance(20_000);
    expect(store.forgetGoneNodes()).toEqual([]); // still discovered
    store.setDiscovery({ endpoints: [], resources: [] });
    expect(store.nodes()).toEqual([]);
  });
});

describe('ClusterStateStore while agents are paced', () => {
  it('judges staleness past the report gap the leader asked for, and back when it relaxes', () => {
    const { clock, store } = setup();
    clock.advance(1500); // past staleAfterMs (1000) but within a 750 ms gap more
    expect(store.endpointsForModel('m').map((s) => s.stale)).toEqual([true, true, true]);
    store.allowReportGap(750);
    expect(store.endpointsForModel('m').map((s) => s.stale)).toEqual([false, false, false]);
    clock.advance(251);
    expect(store.endpointsForModel('m').map((s) => s.stale)).toEqual([true, true, true]);
    store.allowReportGap(5000);
    store.applyDelta('a', { v: 1, type: 'state', seq: 1, engines: [] });
    store.allowReportGap(0);
    expect(store.endpointsForModel('m').map((s) => s.stale)).toEqual([false, false, true]);
  });
});

describe('ClusterStateStore when the pace changes', () => {
  it('keeps the states and views whose staleness did not flip, so readers patch, not rebuild', () => {
    const { clock, store, catalog } = setup();
    clock.advance(500);
    store.applyDelta('b', { v: 1, type: 'state', seq: 1, engines: [] }); // b reported later
    const before = store.endpointsForModel('m');
    const views = catalog.lookup('m').endpoints;
    clock.advance(700); // a is 1200 ms old (stale at 1000), b 700 ms
    store.allowReportGap(400); // a is fresh again under 1400 ms, b unchanged
    const after = store.endpointsForModel('m');
    expect(after.map((s) => s.stale)).toEqual([false, false, false]);
    expect(after[2]).toBe(before[2]);
    expect(store.changedSince(before, after)).toEqual([]);
    catalog.lookup('m').endpoints.forEach((e, i) => expect(e).toBe(views[i]));
    store.allowReportGap(0); // a's 1200 ms are stale again at 1000; b stays fresh
    const relaxed = store.endpointsForModel('m');
    expect(relaxed.map((s) => s.stale)).toEqual([true, true, false]);
    expect(relaxed[2]).toBe(before[2]);
    expect(store.changedSince(after, relaxed)).toEqual([0, 1]);
    expect(catalog.lookup('m').endpoints[2]).toBe(views[2]);
  });
});

describe('ClusterEndpointCatalog.knows', () => {
  it('agrees with lookup().known for models, adapters and unknown names', () => {
    const { store, catalog } = setup();
    store.applyDelta('b', {
      v: 1,
      type: 'state',
      seq: 1,
      engines: [report('b/e0', true, ['lora-x'])],
    });
    for (const name of ['m', 'lora-x', 'nope'])
      expect(catalog.knows(name)).toBe(catalog.lookup(name).known);
    expect(catalog.knows('m')).toBe(true);
    expect(catalog.knows('nope')).toBe(false);
  });
});

describe('ClusterStateStore patch chains', () => {
  it('lets go of lists older than any reader follows back', async () => {
    v8.setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const { store } = setup();
    const oldest = new WeakRef(store.endpointsForModel('m'));
    for (let seq = 1; seq <= 40; seq++) {
      store.applyDelta('a', { v: 1, type: 'state', seq, engines: [report('a/e0', seq % 2 === 0)] });
      store.endpointsForModel('m');
    }
    // The chain is still followed as far as readers go.
    const recent = store.endpointsForModel('m');
    store.applyDelta('a', { v: 1, type: 'state', seq: 41, engines: [report('a/e0', false)] });
    expect(store.changedSince(recent, store.endpointsForModel('m'))).toEqual([0, 1]);
    await new Promise((resolve) => setImmediate(resolve));
    gc();
    expect(oldest.deref()).toBeUndefined();
  });
});
