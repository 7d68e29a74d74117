/**
 * engine.drain end to end: a real engine fixture scraped by a real EngineWatcher, the agent's
 * LeaderClient and executor over a real hub, and the leader's routing view (ClusterEndpointCatalog).
 * Drain stops routing at once and answers when the engine's scrapes show it idle; undrain
 * routes it again.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { AgentMetrics } from '../../../src/agent/agent-metrics.js';
import { DrainSet, engineDrainHandler } from '../../../src/agent/engine-drain.js';
import { EngineWatcher } from '../../../src/agent/engine-watcher.js';
import type { ClusterSource, EngineEndpoint } from '../../../src/discovery/index.js';
import { ClusterEndpointCatalog } from '../../../src/leader/cluster-endpoint-catalog.js';
import type { JsonObject } from '../../../src/protocol/index.js';
import { createRegistry, silentLogger, systemClock } from '../../../src/shared/index.js';
import { startEngineFixture, VLLM_METRICS } from '../../helpers/engine-fixture.js';
import { CommandLeader, startCommandAgent } from '../../helpers/command-cluster.js';
import { waitFor } from '../../helpers/wait-for.js';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('engine.drain', () => {
  it('stops routing to the engine, answers when it is idle, and undrain routes it again', async () => {
    const fixture = await startEngineFixture();
    cleanups.push(() => fixture.close());
    const endpoint: EngineEndpoint = {
      id: 'node-d/e0',
      name: 'e0',
      model: 'm',
      url: fixture.url,
      node: 'node-d',
      engine: 'vllm',
      gpuIndices: undefined,
      ready: true,
    };
    const source: ClusterSource = {
      name: 'fixed',
      current: () => ({ endpoints: [endpoint], resources: [] }),
      onChange: () => () => undefined,
      synced: Promise.resolve(),
      run: () => Promise.resolve(),
    };
    const leader = new CommandLeader();
    leader.store.setDiscovery({ endpoints: [endpoint], resources: [] });
    await leader.start();
    cleanups.push(() => leader.stop());
    const catalog = new ClusterEndpointCatalog(leader.store);
    const routable = () => catalog.lookup('m').endpoints[0]?.clusterHealthy;

    const watcher = new EngineWatcher({
      source,
      clock: systemClock,
      log: silentLogger(),
      metrics: new AgentMetrics(createRegistry({ defaultMetrics: false }), 'node-d'),
      intervalMs: 50,
      timeoutMs: 1000,
      windowMs: 10_000,
      modelsEveryN: 1,
    });
    const drains = new DrainSet();
    let publish = (): void => undefined;
    const agent = startCommandAgent(leader, 'node-d', [
      engineDrainHandler({
        drains,
        engines: () => watcher.reports(),
        onCycle: (listener) => watcher.onCycle(listener),
        publish: () => publish(),
      }),
    ]);
    cleanups.push(agent.stop);
    publish = () => agent.client.updateEngines(drains.mark(watcher.reports()));
    watcher.onCycle((reports) => agent.client.updateEngines(drains.mark(reports)));
    const abort = new AbortController();
    const watching = watcher.run(abort.signal);
    cleanups.push(async () => {
      abort.abort();
      await watching;
    });
    await waitFor(
      () => routable() === true && leader.store.endpoints()[0]?.report !== undefined,
      'engine routable and reported by its agent',
    );

    // One request running (the fixture's default metrics): drain waits for it.
    const progress: JsonObject[] = [];
    const drained = leader.client.send({
      node: 'node-d',
      kind: 'engine.drain',
      args: { engine: 'node-d/e0', drain: true },
      onProgress: (p) => progress.push(p),
    });
    await waitFor(() => routable() === false, 'draining engine not routed');
    const state = leader.store.endpoints()[0]!;
    expect(state.draining).toBe(true);
    expect(state.agentSaysDown).toBe(false);
    await waitFor(() => progress.length >= 2, 'progress while busy');
    expect(progress.at(-1)).toEqual({ engine: 'node-d/e0', running: 1, waiting: 0 });
    fixture.knobs.metricsText = VLLM_METRICS.replace(
      'vllm:num_requests_running{model_name="m"} 1',
      'vllm:num_requests_running{model_name="m"} 0',
    );
    expect(await drained).toEqual({
      ok: true,
      value: { engine: 'node-d/e0', draining: true, idle: true, running: 0, waiting: 0 },
    });
    expect(routable()).toBe(false);

    expect(
      await leader.client.send({
        node: 'node-d',
        kind: 'engine.drain',
        args: { engine: 'node-d/e0', drain: false },
      }),
    ).toEqual({ ok: true, value: { engine: 'node-d/e0', draining: false } });
    await waitFor(() => routable() === true, 'routed again after undrain');
  });

  it('reports what is still in flight after waitForIdleMs, and ENGINE_NOT_FOUND for an unknown engine', async () => {
    const fixture = await startEngineFixture();
    cleanups.push(() => fixture.close());
    const endpoint: EngineEndpoint = {
      id: 'node-e/e0',
      name: 'e0',
      model: 'm',
      url: fixture.url,
      node: 'node-e',
      engine: 'vllm',
      gpuIndices: undefined,
      ready: true,
    };
    const watcher = new EngineWatcher({
      source: {
        name: 'fixed',
        current: () => ({ endpoints: [endpoint], resources: [] }),
        onChange: () => () => undefined,
        synced: Promise.resolve(),
        run: () => Promise.resolve(),
      },
      clock: systemClock,
      log: silentLogger(),
      metrics: new AgentMetrics(createRegistry({ defaultMetrics: false }), 'node-e'),
      intervalMs: 50,
      timeoutMs: 1000,
      windowMs: 10_000,
      modelsEveryN: 1,
    });
    const leader = new CommandLeader();
    await leader.start();
    cleanups.push(() => leader.stop());
    const drains = new DrainSet();
    const agent = startCommandAgent(leader, 'node-e', [
      engineDrainHandler({
        drains,
        engines: () => watcher.reports(),
        onCycle: (listener) => watcher.onCycle(listener),
        publish: () => agent.client.updateEngines(drains.mark(watcher.reports())),
      }),
    ]);
    cleanups.push(agent.stop);
    const abort = new AbortController();
    const watching = watcher.run(abort.signal);
    cleanups.push(async () => {
      abort.abort();
      await watching;
    });
    await waitFor(() => watcher.reports().length === 1 && agent.client.leader, 'watching');
    expect(
      await leader.client.send({
        node: 'node-e',
        kind: 'engine.drain',
        args: { engine: 'node-e/e0', drain: true, waitForIdleMs: 300 },
      }),
    ).toEqual({
      ok: true,
      value: { engine: 'node-e/e0', draining: true, idle: false, running: 1, waiting: 0 },
    });
    expect(
      await leader.client.send({
        node: 'node-e',
        kind: 'engine.drain',
        args: { engine: 'node-e/nope', drain: true },
      }),
    ).toMatchObject({ ok: false, code: 'ENGINE_NOT_FOUND' });
  });
});
