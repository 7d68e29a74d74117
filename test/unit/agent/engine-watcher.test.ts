import { getEventListeners } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { EngineWatcher } from '../../../src/agent/engine-watcher.js';
import { AgentMetrics } from '../../../src/agent/agent-metrics.js';
import type { ClusterSource, ClusterView } from '../../../src/discovery/index.js';
import { createRegistry, silentLogger, systemClock } from '../../../src/shared/index.js';

/** A discovery source with no engines: each cycle is only the wait between cycles. */
function emptySource(): ClusterSource {
  const view: ClusterView = { endpoints: [], resources: [] };
  return {
    name: 'empty-source',
    run: () => Promise.resolve(),
    current: () => view,
    onChange: () => () => undefined,
    synced: Promise.resolve(),
  };
}

describe('EngineWatcher.run', () => {
  it('keeps the listener count on the process-lifetime stop signal constant over many cycles', async () => {
    const watcher = new EngineWatcher({
      source: emptySource(),
      clock: systemClock,
      log: silentLogger(),
      metrics: new AgentMetrics(createRegistry(), 'node-a'),
      intervalMs: 1,
      timeoutMs: 100,
      windowMs: 1000,
      modelsEveryN: 1,
    });
    const stop = new AbortController();
    const counts: number[] = [];
    watcher.onCycle(() => counts.push(getEventListeners(stop.signal, 'abort').length));
    const running = watcher.run(stop.signal);
    while (counts.length < 60) await new Promise((resolve) => setTimeout(resolve, 5));
    stop.abort();
    await running;
    // Before the fix every cycle left one more listener behind (0, 1, 2, … 59).
    expect(Math.max(...counts)).toBeLessThanOrEqual(1);
    expect(getEventListeners(stop.signal, 'abort')).toHaveLength(0);
  });
});

describe('EngineWatcher.cycle', () => {
  it('puts one listener on the stop signal however many engines it scrapes at once', async () => {
    // Engines that answer nothing for a while: every call is in flight when the count is taken.
    const server = http.createServer((_req, res) => setTimeout(() => res.end('{}'), 100));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const endpoints = Array.from({ length: 12 }, (_, i) => ({
      id: `node-a/e${i}`,
      name: `e${i}`,
      model: 'm',
      url: `http://127.0.0.1:${port}`,
      node: 'node-a',
      engine: 'vllm' as const,
      gpuIndices: undefined,
      ready: true,
    }));
    const view: ClusterView = { endpoints, resources: [] };
    const watcher = new EngineWatcher({
      source: { ...emptySource(), current: () => view },
      clock: systemClock,
      log: silentLogger(),
      metrics: new AgentMetrics(createRegistry(), 'node-a'),
      intervalMs: 1000,
      timeoutMs: 2000,
      windowMs: 1000,
      modelsEveryN: 1000,
    });
    const stop = new AbortController();
    const warnings: Error[] = [];
    const onWarning = (w: Error): number => warnings.push(w);
    process.on('warning', onWarning);
    try {
      const cycle = watcher.cycle(stop.signal);
      await new Promise((resolve) => setTimeout(resolve, 50));
      // Before: two per engine (24) on the process-lifetime signal, and Node's leak warning.
      expect(getEventListeners(stop.signal, 'abort')).toHaveLength(1);
      await cycle;
      expect(getEventListeners(stop.signal, 'abort')).toHaveLength(0);
      expect(warnings.filter((w) => w.name === 'MaxListenersExceededWarning')).toEqual([]);
    } finally {
      process.off('warning', onWarning);
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
