import { afterEach, describe, expect, it } from 'vitest';
import { AgentMetrics } from '../../../src/agent/agent-metrics.js';
import { EngineWatcher } from '../../../src/agent/engine-watcher.js';
import { engineCacheLossListener } from '../../../src/agent/kv-engine-restarts.js';
import type { ClusterSource, EngineEndpoint } from '../../../src/discovery/index.js';
import { createRegistry, silentLogger, systemClock } from '../../../src/shared/index.js';
import {
  startEngineFixture,
  VLLM_METRICS,
  type EngineFixture,
  type EngineFixtureKnobs,
} from '../../helpers/engine-fixture.js';

const fixtures: EngineFixture[] = [];
afterEach(async () => {
  await Promise.all(fixtures.splice(0).map((f) => f.close()));
});

function sourceOf(endpoints: EngineEndpoint[]): ClusterSource {
  return {
    name: 'fixed',
    current: () => ({ endpoints, resources: [] }),
    onChange: () => () => undefined,
    synced: Promise.resolve(),
    run: () => Promise.resolve(),
  };
}

async function watch(knobs: Partial<EngineFixtureKnobs>, restarted: string[] = []) {
  const fixture = await startEngineFixture({ knobs });
  fixtures.push(fixture);
  const endpoint: EngineEndpoint = {
    id: 'n/e',
    name: 'e',
    model: 'm',
    url: fixture.url,
    node: 'n',
    engine: 'vllm',
    gpuIndices: undefined,
    ready: true,
  };
  const watcher = new EngineWatcher({
    source: sourceOf([endpoint]),
    clock: systemClock,
    log: silentLogger(),
    metrics: new AgentMetrics(createRegistry(), 'n'),
    intervalMs: 100,
    // A scrape on a loaded CI machine can take tens of ms: only a hung fixture may reach this.
    timeoutMs: 1000,
    windowMs: 10_000,
    modelsEveryN: 4,
  });
  // The agent's restart path (main.ts): the cache-loss listener on the watcher's cycles.
  watcher.onCycle(engineCacheLossListener((id) => restarted.push(id)));
  const cycles = async (n: number) => {
    for (let i = 0; i < n; i++) await watcher.cycle(new AbortController().signal);
    return watcher.reports()[0]!;
  };
  return { fixture, cycles };
}

describe('EngineWatcher readiness', () => {
  it('keeps an engine whose /metrics times out ready, with its metrics flagged stale', async () => {
    const { fixture, cycles } = await watch({});
    expect((await cycles(1)).metricsStale).toBeUndefined();
    fixture.knobs.metricsHang = true;
    const report = await cycles(3);
    expect(report.ready).toBe(true);
    expect(report.metricsStale).toBe(true);
    expect(report.metrics?.scrape.kvCacheUsageRatio).toBe(0.25);
  });

  it('routes an engine without /metrics (401): ready, no metrics', async () => {
    const { cycles } = await watch({ metricsStatus: 401 });
    const report = await cycles(3);
    expect(report.ready).toBe(true);
    expect(report.metrics).toBeUndefined();
    expect(report.metricsStale).toBe(true);
  });

  it('turns unready after two failed health checks, ready again on the next 2xx', async () => {
    const { fixture, cycles } = await watch({});
    expect((await cycles(1)).ready).toBe(true);
    fixture.knobs.healthStatus = 503;
    expect((await cycles(1)).ready).toBe(true);
    const down = await cycles(1);
    expect(down.ready).toBe(false);
    expect(down.error).toMatch(/503/);
    fixture.knobs.healthStatus = 200;
    expect((await cycles(1)).ready).toBe(true);
  });

  it('learns the models the engine serves from /v1/models', async () => {
    const { fixture, cycles } = await watch({ models: ['other-model'] });
    const report = await cycles(1);
    expect(report.servedModels).toEqual(['other-model']);
    fixture.knobs.models = ['m'];
    expect((await cycles(4)).servedModels).toEqual(['m']);
  });

  it('reports an engine restart once, when its finished-requests counter goes backwards', async () => {
    const restarted: string[] = [];
    const { fixture, cycles } = await watch({}, restarted);
    await cycles(2);
    expect(restarted).toEqual([]);
    fixture.knobs.metricsText = VLLM_METRICS.replace(
      'vllm:request_success_total{model_name="m"} 3',
      'vllm:request_success_total{model_name="m"} 0',
    );
    expect(fixture.knobs.metricsText).not.toBe(VLLM_METRICS);
    await cycles(1);
    expect(restarted).toEqual(['n/e']);
    fixture.knobs.metricsText = VLLM_METRICS;
    await cycles(2);
    expect(restarted).toEqual(['n/e']);
  });
});
