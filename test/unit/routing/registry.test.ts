import { describe, expect, it } from 'vitest';
import { ConfigError, SeededRng, loadConfig } from '../../../src/shared/index.js';
import {
  ALGORITHMS,
  DEFAULT_STRATEGY,
  asRoutingConfig,
  defaultRoutingConfig,
  parseStrategy,
  pick,
  routingConfigSpec,
  validStrategyNames,
  type RoutingAlgorithm,
} from '../../../src/routing/index.js';
import {
  aRequest,
  anEndpoint,
  someMetrics,
  aRoutingContext,
  aRoutingMemory,
} from '../../helpers/routing-builders.js';

describe('registry', () => {
  it('lists every strategy once, named like its file', () => {
    expect([...ALGORITHMS.keys()].sort()).toEqual([
      'least-busy-time',
      'least-kv-cache',
      'least-latency',
      'least-prefill',
      'least-request',
      'lora-affinity',
      'power-of-two',
      'prefix-cache',
      'random',
      'session-affinity',
      'throughput',
      'vtc-basic',
    ]);
  });

  it('auto is the default and expands to llm-d’s queue 2, KV 2, prefix 3 (queue in tokens)', () => {
    expect(DEFAULT_STRATEGY).toBe('auto');
    expect(defaultRoutingConfig().strategy).toBe('auto');
    const parsed = parseStrategy('auto');
    expect(parsed.ok && parsed.mix.map((m) => [m.algorithm.name, m.weight])).toEqual([
      ['least-prefill', 2],
      ['least-kv-cache', 2],
      ['prefix-cache', 3],
    ]);
  });

  it('rejects unknown names listing the valid ones', () => {
    const parsed = parseStrategy('prefix-cache:2,least-kv:1');
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) {
      expect(parsed.message).toContain('"least-kv"');
      for (const name of validStrategyNames()) expect(parsed.message).toContain(name);
    }
  });

  it('validates the configured default strategy', () => {
    expect(() =>
      loadConfig({ routing: routingConfigSpec }, 'LEADER', {
        env: { INFERNODE_LEADER_ROUTING_STRATEGY: 'fastest' },
      }),
    ).toThrow(ConfigError);
    const config = loadConfig({ routing: routingConfigSpec }, 'LEADER', {
      file: { routing: { prefixCache: { blockSizeTokens: 32 } } },
    });
    const routing = asRoutingConfig(config.routing);
    expect(routing.prefixCache.blockSizeTokens).toBe(32);
    expect(routing.prefixCache.stdDevFactor).toBe(2);
  });
});

describe('absolute normalization in pick()', () => {
  const fixed = (scores: number[], normalization?: 'absolute'): RoutingAlgorithm => ({
    name: 'fixed',
    polarity: 'higher-is-better',
    normalization,
    description: 'fixed',
    score: () => scores,
  });
  const endpoints = [anEndpoint('n/0'), anEndpoint('n/1')];
  const run = (a: RoutingAlgorithm, b: RoutingAlgorithm) =>
    pick(
      { nowMs: 0, endpoints },
      aRequest(),
      [
        { algorithm: a, weight: 1 },
        { algorithm: b, weight: 1 },
      ],
      aRoutingContext(1),
    ).id;

  it('keeps a small absolute difference small against a min-max strategy', () => {
    // A 0.02 edge on a 0–1 scale loses to a strategy that clearly prefers n/1.
    expect(run(fixed([0.52, 0.5], 'absolute'), fixed([0, 1]))).toBe('n/1');
  });

  it('auto lets a long prefix match outweigh a little load and a short queue', () => {
    const state = aRoutingMemory();
    const auto = parseStrategy('auto');
    if (!auto.ok) throw new Error(auto.message);
    const long = 'a shared system prompt. '.repeat(400);
    const request = aRequest({ promptText: long, promptTokens: long.length / 4 });
    const cluster = [0, 1, 2].map((i) =>
      anEndpoint(`n/${i}`, { metrics: someMetrics({ scrape: { kvCacheUsageRatio: 0.3 } }) }),
    );
    const first = pick({ nowMs: 0, endpoints: cluster }, request, auto.mix, {
      rng: new SeededRng(2),
      ...state,
    });
    const busier = cluster.map((e) =>
      e.id === first.id ? { ...e, inFlight: 2, pendingPrefillTokens: 200 } : e,
    );
    const again = pick({ nowMs: 0, endpoints: busier }, request, auto.mix, {
      rng: new SeededRng(3),
      ...state,
    });
    expect(again.id).toBe(first.id);
  });
});
