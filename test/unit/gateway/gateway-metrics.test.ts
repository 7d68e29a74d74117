import { describe, expect, it } from 'vitest';
import { GatewayMetrics } from '../../../src/gateway/gateway-metrics.js';
import {
  Histogram,
  OVERHEAD_BUCKETS_SECONDS,
  Registry,
  createRegistry,
} from '../../../src/shared/index.js';

describe('GatewayMetrics.countRequest', () => {
  it('shows every count in the requests counter when it is read, across reads', async () => {
    const registry = createRegistry({ defaultMetrics: false });
    const metrics = new GatewayMetrics(registry);
    for (let i = 0; i < 5; i++) metrics.countRequest('m', '200', 'auto');
    metrics.countRequest('m', '503', 'auto');
    const read = async (): Promise<string[]> =>
      (await registry.metrics())
        .split('\n')
        .filter((l) => l.startsWith('infernode_gateway_requests_total{'));
    expect(await read()).toEqual([
      'infernode_gateway_requests_total{model="m",status="200",strategy="auto"} 5',
      'infernode_gateway_requests_total{model="m",status="503",strategy="auto"} 1',
    ]);
    metrics.countRequest('m', '200', 'auto');
    expect(await read()).toContain(
      'infernode_gateway_requests_total{model="m",status="200",strategy="auto"} 6',
    );
  });

  it('keeps counts when more label sets arrive than it holds', async () => {
    const registry = createRegistry({ defaultMetrics: false });
    const metrics = new GatewayMetrics(registry);
    for (let i = 0; i < 1100; i++) metrics.countRequest(`m${i}`, '200', 'auto');
    const total = (await metrics.requests.get()).values.reduce((a, v) => a + v.value, 0);
    expect(total).toBe(1100);
  });
});

describe('GatewayMetrics, in flight and added latency', () => {
  const lines = async (registry: Registry, prefix: string): Promise<string[]> =>
    (await registry.metrics()).split('\n').filter((l) => l.startsWith(prefix));

  it('shows the requests in flight when the gauge is read', async () => {
    const registry = createRegistry({ defaultMetrics: false });
    const metrics = new GatewayMetrics(registry);
    metrics.requestStarted();
    metrics.requestStarted();
    metrics.requestEnded();
    expect(await lines(registry, 'infernode_gateway_in_flight_requests ')).toEqual([
      'infernode_gateway_in_flight_requests 1',
    ]);
  });

  it('reads as a histogram observed sample by sample would, below and past a batch', async () => {
    for (const n of [3, 2500]) {
      const registry = createRegistry({ defaultMetrics: false });
      const metrics = new GatewayMetrics(registry);
      const reference = new Registry();
      const direct = new Histogram({
        name: 'infernode_gateway_added_latency_seconds',
        help: 'reference',
        buckets: OVERHEAD_BUCKETS_SECONDS,
        registers: [reference],
      });
      for (let i = 0; i < n; i++) {
        const seconds = ((i * 7919) % 5000) / 1e6;
        metrics.observeAddedLatency(seconds);
        direct.observe(seconds);
      }
      const name = 'infernode_gateway_added_latency_seconds_';
      const expected = await lines(reference, name);
      expect(expected).toContain(`${name}count ${n}`);
      expect(await lines(registry, name)).toEqual(expected);
      // A second read adds nothing twice.
      expect(await lines(registry, name)).toEqual(expected);
    }
  });
});
