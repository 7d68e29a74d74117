/**
 * The leader's ModelAdapter controller as main.ts builds it (buildAdapters + buildModelAdapters)
 * against the fake Kubernetes API server: engine pods and ModelAdapters come through the real
 * informers, status, finalizers and Events go through the real Kubernetes adapters, and
 * `lora.load` / `lora.unload` travel over the real agent channel (AgentHub + CommandClient) to
 * fake agents. A fake agent's handlers change its engines' adapter lists and publish them
 * through the agent report path (LeaderClient.updateEngines), as a real agent's next scrape
 * would. Cases: replicas 2 over 3 nodes, a node lost, delete with the finalizer, and an engine
 * that fails every load (a short retry schedule through the wiring's `retry` option).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { JsonObject, EngineReport } from '../../../src/protocol/index.js';
import type { CommandHandler } from '../../../src/agent/command-handler.js';
import { systemTimers } from '../../../src/controllers/index.js';
import { createKubeClients } from '../../../src/kube/adapters/index.js';
import { buildAdapters, leaderConfigSpec } from '../../../src/leader/index.js';
import { buildModelAdapters } from '../../../src/leader/model-adapter-wiring.js';
import { LORA_LOAD, LORA_UNLOAD, type ModelAdapterStatus } from '../../../src/lora/index.js';
import {
  AppError,
  SeededRng,
  createRegistry,
  loadConfig,
  silentLogger,
  systemClock,
} from '../../../src/shared/index.js';
import { CommandLeader, startCommandAgent } from '../../helpers/command-cluster.js';
import { loadCrds } from '../../helpers/crds.js';
import { FakeKubeApiServer, type KubeObject } from '../../helpers/kube-api-server.js';
import { aPod } from '../../helpers/kube-builders.js';
import { waitFor } from '../../helpers/wait-for.js';

const API = 'infernode.io/v1alpha1';
const NS = 'ml';
const LONG = 30_000;

/** A ModelAdapter for base model `base` on pods labelled with it. */
const modelAdapter = (name: string, replicas: number): KubeObject => ({
  apiVersion: API,
  kind: 'ModelAdapter',
  metadata: { name, namespace: NS },
  spec: {
    baseModel: 'base',
    podSelector: { matchLabels: { 'model.infernode.io/name': 'base' } },
    artifactURL: 's3://adapters/' + name,
    replicas,
  },
});

/** One node's fake agent: engine `ml/<node>-e` and what it lists. */
interface FakeAgent {
  readonly node: string;
  readonly engineId: string;
  readonly adapters: Set<string>;
  /** Loads that reached this agent, in order (`load <adapter>` / `unload <adapter>`). */
  readonly calls: string[];
  /** When set, every load fails with this retriable code. */
  failLoads: boolean;
  stop(): Promise<void>;
}

describe('ModelAdapter controller (fake API server, fake agents)', () => {
  let server: FakeKubeApiServer;
  let leader: CommandLeader;
  let stop: AbortController;
  let runs: Promise<unknown>[];
  let agents: Map<string, FakeAgent>;

  beforeEach(async () => {
    server = await FakeKubeApiServer.start();
    for (const crd of loadCrds()) server.addCrd(crd);
    leader = new CommandLeader();
    await leader.start();
    stop = new AbortController();
    runs = [];
    agents = new Map();
  });

  afterEach(async () => {
    stop.abort();
    await Promise.allSettled(runs);
    await Promise.all([...agents.values()].map((a) => a.stop()));
    await leader.stop();
    await server.close();
  });

  /** A ready engine pod on `node` and its agent. */
  function addNode(node: string, preloaded: string[] = []): FakeAgent {
    server.put(
      aPod(`${node}-e`, NS)
        .onNode(node)
        .withModel('base')
        .withLabel('model.infernode.io/port', '8000')
        .ready()
        .withIp('127.0.0.1')
        .build(),
    );
    const engineId = `${NS}/${node}-e`;
    const adapters = new Set(preloaded);
    const calls: string[] = [];
    const report = (): EngineReport => ({
      id: engineId,
      model: 'base',
      url: 'http://127.0.0.1:8000',
      ready: true,
      adapters: [...adapters].sort(),
      metrics: {
        scrape: { lora: { maxLoras: 4, running: [], waiting: [] } },
        window: { windowMs: 0 },
        scrapedAtMs: Date.now(),
      } as never,
    });
    const agent: FakeAgent = {
      node,
      engineId,
      adapters,
      calls,
      failLoads: false,
      stop: () => Promise.resolve(),
    };
    const handler = (kind: string): CommandHandler<{ adapter: string; engineId: string }> => ({
      kind,
      timeoutMs: 10_000,
      concurrency: 4,
      parseArgs: (args: JsonObject) =>
        typeof args.adapter === 'string' && args.engineId === engineId
          ? { ok: true, args: { adapter: args.adapter, engineId } }
          : { ok: false, message: `not an engine here: ${String(args.engineId)}` },
      run: ({ adapter }) => {
        calls.push(`${kind === LORA_LOAD ? 'load' : 'unload'} ${adapter}`);
        if (kind === LORA_LOAD && agent.failLoads)
          return Promise.reject(
            new AppError('LORA_ENGINE_UNAVAILABLE', `engine ${engineId} did not answer`),
          );
        const had = adapters.has(adapter);
        if (kind === LORA_LOAD) adapters.add(adapter);
        else adapters.delete(adapter);
        started.client.updateEngines([report()]);
        return Promise.resolve(
          kind === LORA_LOAD
            ? { adapter, engineId, path: `/cache/${adapter}`, rank: 8, bytes: 4096 }
            : { adapter, engineId, wasLoaded: had, freedBytes: 0 },
        );
      },
    });
    const started = startCommandAgent(leader, node, [handler(LORA_LOAD), handler(LORA_UNLOAD)]);
    started.client.updateEngines([report()]);
    agent.stop = started.stop;
    agents.set(node, agent);
    return agent;
  }

  /** Waits until every node's engine report reached the leader's store. */
  async function reportsArrived(): Promise<void> {
    await waitFor(
      () =>
        [...agents.values()].every((a) =>
          leader.store.endpoints().some((s) => s.endpoint.id === a.engineId && s.report),
        ),
      'engine reports in the store',
      LONG,
    );
  }

  /** The leader's discovery and ModelAdapter controller, as main.ts wires them. */
  async function startController(retry?: {
    maxTries: number;
    baseMs: number;
    capMs: number;
  }): Promise<void> {
    const config = loadConfig(leaderConfigSpec, 'LEADER', {
      env: {
        INFERNODE_LEADER_DISCOVERY: 'kubernetes',
        INFERNODE_AGENT_TOKEN: 'agent-token-0123456789',
        POD_NAMESPACE: NS,
      },
    });
    const log = silentLogger();
    const registry = createRegistry({ defaultMetrics: false });
    const adapters = await buildAdapters(config, {}, log, registry, {
      kubeClients: createKubeClients(server.kubeConfig()),
    });
    adapters.source.onChange((view) => leader.store.setDiscovery(view));
    // Its own signal: the informers add many abort listeners.
    const sourceStop = new AbortController();
    stop.signal.addEventListener('abort', () => sourceStop.abort(), { once: true });
    runs.push(adapters.source.run(sourceStop.signal));
    await adapters.source.synced;
    leader.store.setDiscovery(adapters.source.current());
    const controller = buildModelAdapters({
      config,
      adapters,
      store: leader.store,
      commands: leader.client,
      log,
      registry,
      clock: systemClock,
      rng: new SeededRng(5),
      timers: systemTimers,
      ...(retry === undefined ? {} : { retry }),
    });
    runs.push(controller.run(stop.signal));
  }

  const statusOf = (name: string): ModelAdapterStatus | undefined =>
    server.get(API, 'ModelAdapter', NS, name)?.status as ModelAdapterStatus | undefined;

  /** The Events about `name`, one entry per occurrence (K8sNodeOps counts repeats in one Event). */
  const eventReasons = (name: string): string[] =>
    server
      .list('v1', 'Event', NS)
      .map((e) => e as { involvedObject?: { name?: string }; reason?: string; count?: number })
      .filter((e) => e.involvedObject?.name === name)
      .flatMap((e) => Array.from({ length: e.count ?? 1 }, () => String(e.reason)));

  const holders = (adapter: string): string[] =>
    [...agents.values()].filter((a) => a.adapters.has(adapter)).map((a) => a.node);

  it('places replicas 2 on engines of different nodes and reports Running with instances', async () => {
    for (const node of ['n1', 'n2', 'n3']) addNode(node);
    await startController();
    await reportsArrived();
    server.put(modelAdapter('sql-lora', 2));

    await waitFor(() => statusOf('sql-lora')?.readyReplicas === 2, 'two ready replicas', LONG);
    const status = statusOf('sql-lora')!;
    expect(status.phase).toBe('Running');
    expect(status.desiredReplicas).toBe(2);
    expect(status.instances).toHaveLength(2);
    expect(status.candidates).toEqual(['ml/n1-e', 'ml/n2-e', 'ml/n3-e']);
    expect(status.conditions?.find((c) => c.type === 'Ready')).toMatchObject({ status: 'True' });
    const held = holders('sql-lora');
    expect(held).toHaveLength(2);
    expect(new Set(held).size).toBe(2);
    expect(status.instances).toEqual(held.map((n) => `${NS}/${n}-e`).sort());
    const md = server.get(API, 'ModelAdapter', NS, 'sql-lora')!.metadata;
    expect(md.finalizers).toContain('infernode.io/model-adapter');
    await waitFor(
      () => eventReasons('sql-lora').filter((r) => r === 'AdapterLoaded').length === 2,
      'two AdapterLoaded Events',
      LONG,
    );
  });

  it('moves the adapter to another candidate when an engine node is lost', async () => {
    for (const node of ['n1', 'n2', 'n3']) addNode(node);
    await startController();
    await reportsArrived();
    server.put(modelAdapter('sql-lora', 2));
    await waitFor(() => statusOf('sql-lora')?.readyReplicas === 2, 'two ready replicas', LONG);
    const lost = holders('sql-lora')[0]!;
    const spare = ['n1', 'n2', 'n3'].find((n) => !holders('sql-lora').includes(n))!;

    // The node is gone: its agent disconnects and its pod is deleted.
    await agents.get(lost)!.stop();
    server.delete('v1', 'Pod', NS, `${lost}-e`);

    await waitFor(
      () => agents.get(spare)!.adapters.has('sql-lora'),
      `the adapter loaded on ${spare}`,
      LONG,
    );
    await waitFor(
      () =>
        statusOf('sql-lora')?.readyReplicas === 2 &&
        !statusOf('sql-lora')!.instances!.includes(`${NS}/${lost}-e`),
      'two ready replicas without the lost engine',
      LONG,
    );
    expect(statusOf('sql-lora')!.instances).toContain(`${NS}/${spare}-e`);
    expect(statusOf('sql-lora')!.phase).toBe('Running');
    expect(eventReasons('sql-lora')).toContain('AdapterMoving');
  });

  it('unloads everywhere on delete, then removes the finalizer', async () => {
    for (const node of ['n1', 'n2', 'n3']) addNode(node);
    await startController();
    await reportsArrived();
    server.put(modelAdapter('sql-lora', 2));
    await waitFor(() => statusOf('sql-lora')?.readyReplicas === 2, 'two ready replicas', LONG);
    const held = holders('sql-lora');

    server.delete(API, 'ModelAdapter', NS, 'sql-lora');
    // The finalizer holds the object while the unloads run.
    await waitFor(
      () => server.get(API, 'ModelAdapter', NS, 'sql-lora') === undefined,
      'the ModelAdapter gone after its finalizer',
      LONG,
    );
    expect(holders('sql-lora')).toEqual([]);
    for (const node of held) expect(agents.get(node)!.calls).toContain('unload sql-lora');
    expect(eventReasons('sql-lora').filter((r) => r === 'AdapterUnloaded')).toHaveLength(2);
  });

  it('retries an engine that fails every load, then moves the adapter to another one', async () => {
    // n1 holds nothing, so leastAdapters picks it first; n2 holds another adapter.
    const failing = addNode('n1');
    failing.failLoads = true;
    const healthy = addNode('n2', ['other-lora']);
    await startController({ maxTries: 3, baseMs: 50, capMs: 200 });
    await reportsArrived();
    server.put(modelAdapter('sql-lora', 1));

    await waitFor(() => healthy.adapters.has('sql-lora'), 'the adapter moved to n2', LONG);
    expect(failing.calls).toEqual(['load sql-lora', 'load sql-lora', 'load sql-lora']);
    await waitFor(() => statusOf('sql-lora')?.readyReplicas === 1, 'one ready replica', LONG);
    const status = statusOf('sql-lora')!;
    expect(status.phase).toBe('Running');
    expect(status.instances).toEqual([healthy.engineId]);
    expect(status.engineErrors).toEqual([
      expect.objectContaining({ engine: failing.engineId, code: 'LORA_ENGINE_UNAVAILABLE' }),
    ]);
    // The recorder folds the repeated failure into one Event (correlated, counted).
    expect(eventReasons('sql-lora')).toContain('LoadFailed');
    await waitFor(
      () => eventReasons('sql-lora').includes('AdapterLoaded'),
      'an AdapterLoaded Event',
      LONG,
    );
  });
});
