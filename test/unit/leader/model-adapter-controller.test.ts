/**
 * The ModelAdapter controller over a real cluster state store and the real placement, with agents
 * stood in by a command sender that loads into the store's engine reports (as an agent's next
 * report would): replicas 2 over 4 engines, an engine restart reloaded at once, removal unloads.
 */
import { afterEach, describe, expect, it, onTestFinished } from 'vitest';
import {
  InMemoryEventSink,
  CorrelatingEventRecorder,
  InMemoryStatusStore,
  systemTimers,
} from '../../../src/controllers/index.js';
import type { ClusterView, CustomResource, EngineEndpoint } from '../../../src/discovery/index.js';
import { ClusterStateStore } from '../../../src/leader/index.js';
import { ModelAdapterController } from '../../../src/leader/model-adapter-controller.js';
import { planAdapter, recordAttempt, type ModelAdapterStatus } from '../../../src/lora/index.js';
import type { EngineReport } from '../../../src/protocol/index.js';
import { SeededRng, createRegistry, silentLogger, systemClock } from '../../../src/shared/index.js';
import { waitFor } from '../../helpers/wait-for.js';

const endpoint = (i: number): EngineEndpoint => ({
  id: `n${i}/e`,
  name: `n${i}-e`,
  model: 'base',
  url: `http://127.0.0.1:${9000 + i}`,
  node: `n${i}`,
  engine: 'vllm',
  gpuIndices: [0],
  ready: true,
  labels: { 'model.infernode.io/name': 'base' },
});
const adapter: CustomResource = {
  apiVersion: 'infernode.io/v1alpha1',
  kind: 'ModelAdapter',
  metadata: { name: 'sql-lora', namespace: 'default' },
  spec: {
    baseModel: 'base',
    podSelector: { matchLabels: { 'model.infernode.io/name': 'base' } },
    artifactURL: 'file:///tmp/lora',
    replicas: 2,
  },
};

const stop = new AbortController();
afterEach(() => stop.abort());

describe('ModelAdapterController', () => {
  it('places replicas 2 over 4 engines, reloads after an engine restart, unloads on removal', async () => {
    const store = new ClusterStateStore({ clock: systemClock, staleAfterMs: 60_000 });
    const endpoints = [1, 2, 3, 4].map(endpoint);
    const adapters = new Map<string, string[]>(endpoints.map((e) => [e.id, []]));
    const report = (e: EngineEndpoint): EngineReport => ({
      id: e.id,
      model: 'base',
      url: e.url,
      ready: true,
      adapters: adapters.get(e.id) ?? [],
      metrics: { scrape: { lora: { maxLoras: 4, running: [], waiting: [] } } } as never,
    });
    let view: ClusterView = { endpoints, resources: [adapter] };
    const listeners = new Set<(v: ClusterView) => void>();
    const source = {
      current: () => view,
      onChange: (l: (v: ClusterView) => void) => (listeners.add(l), () => listeners.delete(l)),
    };
    const setView = (next: ClusterView) => {
      view = next;
      store.setDiscovery(next);
      for (const l of listeners) l(next);
    };
    store.setDiscovery(view);
    for (const e of endpoints)
      store.applySnapshot(e.node, 'test', { engines: [report(e)], gpus: [] });
    const statuses = new InMemoryStatusStore<ModelAdapterStatus>();
    statuses.put('default/sql-lora', {});
    const sent: string[] = [];
    const commands = {
      send: (req: { node: string; kind: string; args: unknown }) => {
        const { engineId, adapter: name } = req.args as { engineId: string; adapter: string };
        sent.push(`${req.kind} ${engineId}`);
        const list = adapters.get(engineId) ?? [];
        adapters.set(
          engineId,
          req.kind === 'lora.load' ? [...list, name] : list.filter((a) => a !== name),
        );
        const e = endpoints.find((x) => x.id === engineId)!;
        store.applyDelta(e.node, { engines: [report(e)] } as never);
        return Promise.resolve({ ok: true as const, value: { rank: 8 } });
      },
    };
    const sink = new InMemoryEventSink();
    const registry = createRegistry({ defaultMetrics: false });
    const controller = new ModelAdapterController({
      source,
      store,
      commands,
      statuses,
      events: new CorrelatingEventRecorder({
        sink: sink.sink,
        clock: systemClock,
        log: silentLogger(),
      }),
      planner: { plan: planAdapter, record: recordAttempt },
      log: silentLogger(),
      registry,
      clock: systemClock,
      rng: new SeededRng(1),
      timers: systemTimers,
    });
    void controller.run(stop.signal);
    await waitFor(
      () => statuses.get('default/sql-lora')?.readyReplicas === 2,
      'two ready replicas',
    );
    // The registry the leader serves on /metrics.
    const exposition = await registry.metrics();
    expect(exposition).toContain('infernode_lora_adapters{phase="Running"} 1');
    expect(exposition).toContain('infernode_lora_adapters{phase="Failed"} 0');
    expect(exposition).toContain('infernode_lora_instances{state="desired"} 2');
    expect(exposition).toContain('infernode_lora_instances{state="ready"} 2');
    expect(exposition).toContain('infernode_lora_commands_in_flight{kind="load"} 0');
    const status = statuses.get('default/sql-lora')!;
    expect(status.phase).toBe('Running');
    expect(status.instances).toHaveLength(2);
    expect(new Set(status.instances!.map((id) => id.split('/')[0])).size).toBe(2);
    expect(controller.declaredAdapters()).toEqual(new Set(['sql-lora']));
    // Engine restart: its report loses the adapter → loaded again on the same engine at once.
    const victim = status.instances![0]!;
    const loadsBefore = sent.filter((s) => s === `lora.load ${victim}`).length;
    adapters.set(victim, []);
    const e = endpoints.find((x) => x.id === victim)!;
    store.applyDelta(e.node, { engines: [report(e)] } as never);
    await waitFor(
      () => sent.filter((s) => s === `lora.load ${victim}`).length > loadsBefore,
      'the adapter reloaded on the restarted engine',
    );
    expect(sink.events.some((ev) => ev.reason === 'AdapterLoaded')).toBe(true);
    // Removed from the file: unloaded everywhere, forgotten.
    setView({ endpoints, resources: [] });
    await waitFor(
      () => [...adapters.values()].every((l) => l.length === 0) && controller.remembered === 0,
      'unloaded everywhere and forgotten',
    );
    expect(controller.declaredAdapters().size).toBe(0);
    expect(await registry.metrics()).toContain('infernode_lora_instances{state="ready"} 0');
  });

  it('reports loads in flight, then attempts in backoff, on its infernode_lora_* gauges', async () => {
    const store = new ClusterStateStore({ clock: systemClock, staleAfterMs: 60_000 });
    const endpoints = [1, 2].map(endpoint);
    const view: ClusterView = { endpoints, resources: [adapter] };
    store.setDiscovery(view);
    for (const e of endpoints)
      store.applySnapshot(e.node, 'test', {
        engines: [
          {
            id: e.id,
            model: 'base',
            url: e.url,
            ready: true,
            adapters: [],
            metrics: { scrape: { lora: { maxLoras: 4, running: [], waiting: [] } } } as never,
          },
        ],
        gpus: [],
      });
    const statuses = new InMemoryStatusStore<ModelAdapterStatus>();
    statuses.put('default/sql-lora', {});
    const answers: ((r: { ok: false; code: string; message: string }) => void)[] = [];
    const registry = createRegistry({ defaultMetrics: false });
    const controller = new ModelAdapterController({
      source: { current: () => view, onChange: () => () => undefined },
      store,
      commands: {
        send: () =>
          new Promise<{ ok: false; code: string; message: string }>((resolve) =>
            answers.push(resolve),
          ),
      },
      statuses,
      events: new CorrelatingEventRecorder({
        sink: new InMemoryEventSink().sink,
        clock: systemClock,
        log: silentLogger(),
      }),
      planner: { plan: planAdapter, record: recordAttempt },
      log: silentLogger(),
      registry,
      clock: systemClock,
      rng: new SeededRng(1),
      timers: systemTimers,
    });
    // Its own stop: the file's shared one is aborted by the first test's afterEach.
    const own = new AbortController();
    onTestFinished(() => own.abort());
    void controller.run(own.signal);
    await waitFor(() => answers.length === 2, 'two loads sent');
    let exposition = await registry.metrics();
    expect(exposition).toContain('infernode_lora_commands_in_flight{kind="load"} 2');
    expect(exposition).toContain('infernode_lora_instances{state="desired"} 2');
    expect(exposition).toContain('infernode_lora_instances{state="ready"} 0');
    for (const answer of answers.splice(0))
      answer({ ok: false, code: 'LORA_ENGINE_UNAVAILABLE', message: 'connect ECONNREFUSED' });
    await waitFor(
      async () =>
        (await registry.metrics()).includes('infernode_lora_engine_attempts{state="backoff"} 2'),
      'both engines in backoff',
    );
    exposition = await registry.metrics();
    expect(exposition).toContain('infernode_lora_commands_in_flight{kind="load"} 0');
    expect(exposition).toContain('infernode_lora_engine_attempts{state="given_up"} 0');
  });
});
