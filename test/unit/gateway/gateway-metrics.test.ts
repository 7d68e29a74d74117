import { describe, expect, it } from 'vitest';
import { GatewayMetrics } from '../../../src/gateway/gateway-metrics.js';
import { createRegistry } from '../../../src/shared/index.js';

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
