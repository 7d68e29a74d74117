import { getEventListeners } from 'node:events';
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
