import { describe, expect, it } from 'vitest';
import { ClusterStateStore } from '../../../src/leader/index.js';
import {
  registerClusterMetrics,
  MAX_STALE_ENGINE_SERIES,
} from '../../../src/leader/cluster-metrics.js';
import { createRegistry } from '../../../src/shared/index.js';
import { ManualClock } from '../../helpers/manual-clock.js';
import type { EngineEndpoint } from '../../../src/discovery/index.js';
import type { GpuHealthSummary } from '../../../src/protocol/index.js';

// The store's indexed reads (issue #18): by model, by id, one node; they must answer exactly what
// the scans they replace answered, across discovery changes.
const endpoint = (node: string, name: string, model: string, gpus?: number[]): EngineEndpoint => ({
  id: `${node}/${name}`,
  name: `${node}-${name}`,
  model,
  url: `http://127.0.0.1:1/${node}/${name}`,
  node,
  engine: 'vllm',
  gpuIndices: gpus,
  ready: true,
});
const gpu = (index: number, health: GpuHealthSummary['health']): GpuHealthSummary => ({
  index,
  uuid: `GPU-${index}`,
  health,
  reasons: [],
});
const ids = (states: readonly { endpoint: EngineEndpoint }[]): string[] =>
  states.map((s) => s.endpoint.id);

describe('ClusterStateStore indexed reads', () => {
  it('reads one model’s engines in discovery order, and follows discovery changes', () => {
    const store = new ClusterStateStore({ clock: new ManualClock() });
    store.setDiscovery({
      endpoints: [endpoint('a', 'e0', 'm'), endpoint('a', 'e1', 'n'), endpoint('b', 'e0', 'm')],
      resources: [],
    });
    expect(ids(store.endpointsForModel('m'))).toEqual(['a/e0', 'b/e0']);
    expect(ids(store.endpointsForModel('n'))).toEqual(['a/e1']);
    expect(store.endpointsForModel('absent')).toEqual([]);
    expect(store.discoveredModels()).toEqual(['m', 'n']);
    store.setDiscovery({ endpoints: [endpoint('b', 'e0', 'n')], resources: [] });
    expect(store.endpointsForModel('m')).toEqual([]);
    expect(ids(store.endpointsForModel('n'))).toEqual(['b/e0']);
    // Every model read agrees with a scan of endpoints().
    for (const model of ['m', 'n'])
      expect(store.endpointsForModel(model)).toEqual(
        store.endpoints().filter((s) => s.endpoint.model === model),
      );
  });

  it('reads one engine by id with the state a full listing gives it', () => {
    const clock = new ManualClock();
    const store = new ClusterStateStore({ clock, staleAfterMs: 1000 });
    store.setDiscovery({
      endpoints: [endpoint('a', 'e0', 'm', [0]), endpoint('a', 'e1', 'm', [1])],
      resources: [],
    });
    store.applySnapshot('a', '1', {
      engines: [{ id: 'a/e0', model: 'm', url: 'u', ready: true, adapters: [] }],
      gpus: [gpu(0, 'healthy'), gpu(1, 'healthy')],
    });
    expect(store.endpoint('a/e0')).toEqual(store.endpoints()[0]);
    expect(store.endpoint('a/e0')?.stale).toBe(false);
    expect(store.endpoint('a/e1')?.stale).toBe(true); // no report for it
    expect(store.endpoint('nope')).toBeUndefined();
    // A GPU failure in a delta reaches the one engine on that GPU.
    store.applyDelta('a', {
      v: 1,
      type: 'state',
      seq: 1,
      gpus: [gpu(0, 'healthy'), gpu(1, 'failed')],
    });
    expect(store.endpoint('a/e0')?.gpuFailed).toBe(false);
    expect(store.endpoint('a/e1')?.gpuFailed).toBe(true);
    store.applyDelta('a', {
      v: 1,
      type: 'state',
      seq: 2,
      gpus: [gpu(0, 'healthy'), gpu(1, 'healthy')],
    });
    expect(store.endpoint('a/e1')?.gpuFailed).toBe(false);
  });

  it('reads one node as nodes() lists it, and forgets it by the same rule', () => {
    const clock = new ManualClock();
    const store = new ClusterStateStore({ clock, forgetAfterMs: 1000 });
    store.setDiscovery({ endpoints: [endpoint('a', 'e0', 'm')], resources: [] });
    store.applySnapshot('a', '1', { engines: [], gpus: [] });
    store.applySnapshot('x', '1', { engines: [], gpus: [] }); // not in discovery
    expect(store.node('a')).toEqual(store.nodes().find((n) => n.node === 'a'));
    expect(store.node('x')?.connected).toBe(true);
    store.markAgentLost('x');
    clock.advance(1001);
    expect(store.node('x')).toBeUndefined();
    expect(store.nodes().map((n) => n.node)).toEqual(['a']);
    expect(store.node('never')).toBeUndefined();
  });
});

describe('cluster metrics at scale', () => {
  it('flags only stale engines, at most MAX_STALE_ENGINE_SERIES of them, with an exact count', async () => {
    const store = new ClusterStateStore({ clock: new ManualClock() });
    const endpoints = Array.from({ length: MAX_STALE_ENGINE_SERIES + 50 }, (_, i) =>
      endpoint(`n${i}`, 'e0', 'm'),
    );
    endpoints.push(endpoint('fresh', 'e0', 'm'));
    store.setDiscovery({ endpoints, resources: [] });
    store.applySnapshot('fresh', '1', {
      engines: [{ id: 'fresh/e0', model: 'm', url: 'u', ready: true, adapters: [] }],
      gpus: [],
    });
    const registry = createRegistry();
    registerClusterMetrics(registry, store);
    const text = await registry.metrics();
    const flags = text.split('\n').filter((l) => l.startsWith('infernode_leader_engine_stale{'));
    expect(flags).toHaveLength(MAX_STALE_ENGINE_SERIES);
    expect(flags.every((l) => l.endsWith(' 1'))).toBe(true);
    expect(text).not.toContain('node="fresh"');
    expect(text).toContain(
      `infernode_leader_engines{state="stale"} ${MAX_STALE_ENGINE_SERIES + 50}`,
    );
    expect(text).toContain('infernode_leader_engines{state="fresh"} 1');
  });
});
