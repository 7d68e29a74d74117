import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  ConsoleFeed,
  applyConsoleDelta,
  consoleAutoscalers,
  type ConsoleEngine,
  type ConsoleSnapshot,
  type ConsoleSources,
} from '../../../src/console/index.js';
import { ManualClock } from '../../helpers/manual-clock.js';

const engine = (id: string, over: Partial<ConsoleEngine> = {}): ConsoleEngine => ({
  id,
  node: 'node-a',
  model: 'm',
  url: 'http://x',
  state: 'ready',
  error: null,
  running: 1,
  waiting: 0,
  kvUsage: 0.1,
  ttftMs: 100,
  generationTokensPerSecond: 10,
  adapters: [],
  ejected: false,
  ...over,
});

function feedSources(engines: () => ConsoleEngine[]): ConsoleSources {
  return {
    leader: () => ({ identity: 'l', epoch: 1, version: 'v', sinceMs: 0 }),
    nodes: () => [],
    engines,
    routing: () => ({
      requestsTotal: 0,
      byStrategy: {},
      byEngine: {},
      prefixHitRatio: null,
      recent: [],
    }),
    adapters: () => [],
    autoscalers: () => [],
    kv: () => ({ nodes: [], hitRatio: { gpu: null, l1: null, l2: null } }),
  };
}

function feedWith(engines: () => ConsoleEngine[], clock: ManualClock): ConsoleFeed {
  return new ConsoleFeed({
    clock,
    series: { intervalMs: 1000, windowMs: 5000, maxEngines: 8 },
    sources: feedSources(engines),
  });
}

describe('ConsoleFeed', () => {
  it('sends nothing when nothing changed, and a delta the page applies to the feed’s own snapshot', () => {
    const clock = new ManualClock(10_000);
    let engines = [engine('a'), engine('b')];
    const feed = feedWith(() => engines, clock);
    let page: ConsoleSnapshot = feed.snapshot();
    clock.advance(1000);
    expect(feed.tick()).toBeUndefined();
    for (let i = 0; i < 8; i++) {
      clock.advance(1000);
      engines = [engine('a', { running: i, state: i === 5 ? 'down' : 'ready' }), engine('b')];
      feed.sample();
      const delta = feed.tick();
      expect(delta).toBeDefined();
      if (delta !== undefined) page = applyConsoleDelta(page, delta);
      expect(page).toEqual(feed.snapshot());
    }
    // The window holds 5 s of points: older ones left both copies.
    expect(page.series.engines[0]?.t.length).toBeLessThanOrEqual(6);
    expect(page.events.map((e) => e.kind)).toEqual(['engine-up', 'engine-down']);
  });

  it('while no page watches, still records events; a page opened then stays equal to the feed', () => {
    const clock = new ManualClock(10_000);
    let engines = [engine('a'), engine('b')];
    const feed = feedWith(() => engines, clock);
    feed.snapshot();
    // A change and its reversal while unwatched: the texts were not kept, so neither is missed.
    engines = [engine('a', { state: 'down' }), engine('b')];
    clock.advance(1000);
    feed.tick(false);
    let page: ConsoleSnapshot = feed.snapshot(); // a page opens now, seeing 'down'
    engines = [engine('a'), engine('b')];
    clock.advance(1000);
    const delta = feed.tick(true);
    expect(delta?.engines).toBeDefined();
    if (delta !== undefined) page = applyConsoleDelta(page, delta);
    expect(page).toEqual(feed.snapshot());
    expect(page.engines.map((e) => e.state)).toEqual(['ready', 'ready']);
    expect(page.events.map((e) => e.kind)).toEqual(['engine-up', 'engine-down']); // newest first
  });

  it('ticks the same when its sections are read one per turn, the loop running in between', async () => {
    const clock = new ManualClock(10_000);
    let engines = [engine('a'), engine('b')];
    const spread = feedWith(() => engines, clock);
    const whole = feedWith(() => engines, clock);
    let turns = 0;
    const between = (): Promise<void> => {
      turns++;
      return Promise.resolve();
    };
    expect(await spread.tickSpread(true, between)).toEqual(whole.tick(true));
    engines = [engine('a', { state: 'down' }), engine('b')];
    clock.advance(1000);
    const delta = await spread.tickSpread(true, between);
    expect(delta?.engines?.map((e) => e.state)).toEqual(['down', 'ready']);
    expect(delta).toEqual(whole.tick(true));
    expect(spread.snapshot()).toEqual(whole.snapshot());
    expect(turns).toBe(14); // one per section, seven sections, two ticks
  });

  it('reads the engines in parts when it can, and samples the series from that read', async () => {
    const clock = new ManualClock(10_000);
    let engines = [engine('a', { running: 3 }), engine('b')];
    const whole = feedWith(() => engines, clock);
    const parts = new ConsoleFeed({
      ...{ clock, series: { intervalMs: 1000, windowMs: 5000, maxEngines: 8 } },
      sources: {
        ...feedSources(() => engines),
        enginesSpread: async (between) => {
          await between();
          return engines;
        },
      },
    });
    let turns = 0;
    const between = (): Promise<void> => {
      turns++;
      return Promise.resolve();
    };
    whole.sample();
    expect(await parts.tickSpread(true, between, true)).toEqual(whole.tick(true));
    engines = [engine('a', { running: 5 }), engine('b')];
    clock.advance(1000);
    whole.sample();
    const delta = await parts.tickSpread(true, between, true);
    expect(delta).toEqual(whole.tick(true));
    expect(delta?.samples?.length).toBeGreaterThan(0);
    expect(parts.snapshot()).toEqual(whole.snapshot());
    expect(turns).toBe(16); // seven sections and one more inside the engines section, two ticks
  });
});

describe('the fixture snapshot', () => {
  it('is a snapshot a delta applies to', () => {
    const fixture = JSON.parse(
      readFileSync('test/fixtures/console/snapshot.json', 'utf8'),
    ) as ConsoleSnapshot;
    const next = applyConsoleDelta(fixture, {
      v: 1,
      seq: fixture.seq + 1,
      generatedAtMs: fixture.generatedAtMs + 1000,
      samples: [
        {
          engine: 'node-b/llama-8b-0',
          t: fixture.generatedAtMs + 1000,
          running: 4,
          waiting: 0,
          kvUsage: 0.4,
          ttftMs: 150,
        },
      ],
    });
    const series = next.series.engines.find((s) => s.engine === 'node-b/llama-8b-0');
    expect(series?.running.at(-1)).toBe(4);
    expect(next.engines).toBe(fixture.engines);
  });
});

describe('consoleAutoscalers', () => {
  it('reads current/desired, the signal and the decisions newest first from a PodAutoscaler', () => {
    const [scaler] = consoleAutoscalers([
      {
        apiVersion: 'autoscaling.infernode.io/v1alpha1',
        kind: 'PodAutoscaler',
        metadata: { name: 'llama', namespace: 'default' },
        spec: {
          scaleTargetRef: { kind: 'Deployment', name: 'llama' },
          maxReplicas: 8,
          scalingStrategy: 'KPA',
          metricsSources: [{ metricSourceType: 'pod', targetMetric: 'waiting', targetValue: '2' }],
        },
        status: {
          actualScale: 3,
          desiredScale: 4,
          metricValues: [{ name: 'waiting', value: 4.2, replicas: 3 }],
          scalingHistory: [
            {
              timestamp: '2026-01-01T00:00:00Z',
              previousScale: 2,
              newScale: 3,
              reason: 'panic',
              success: true,
            },
            {
              timestamp: '2026-01-01T00:05:00Z',
              previousScale: 3,
              newScale: 4,
              success: false,
              error: 'forbidden',
            },
          ],
        },
      },
    ]);
    expect(scaler).toMatchObject({
      target: 'Deployment/llama',
      strategy: 'KPA',
      current: 3,
      desired: 4,
      minReplicas: 1,
      signal: { metric: 'waiting', value: 4.2, target: 2 },
    });
    expect(scaler?.decisions.map((d) => d.reason)).toEqual(['failed: forbidden', 'panic']);
  });
});
