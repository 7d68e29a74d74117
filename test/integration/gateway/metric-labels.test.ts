/**
 * Request-supplied label values cannot grow the gateway's metrics: many distinct
 * `routing-strategy` headers and model names leave a bounded set of series.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startSimServer, type SimServer } from '../../../src/sim/index.js';
import {
  FixedCatalog,
  anEngine,
  startGateway,
  type Harness,
} from '../../helpers/gateway-harness.js';

let sim: SimServer | undefined;
let gw: Harness | undefined;
afterEach(async () => {
  await gw?.stop();
  await sim?.close();
  gw = undefined;
  sim = undefined;
});

const post = (url: string, model: string, strategy: string) =>
  fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'routing-strategy': strategy },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }], max_tokens: 2 }),
  });

describe('gateway request metric labels', () => {
  it('stay within a bounded set whatever strategies and models clients send', async () => {
    sim = await startSimServer({ port: 0, model: 'm', speed: 500 });
    gw = await startGateway(new FixedCatalog([anEngine('a', sim.url)]));
    const statuses: number[] = [];
    for (let i = 0; i < 60; i++) {
      const answers = await Promise.all([
        post(gw.url, 'm', `no-such-strategy-${i}`),
        post(gw.url, 'm', `random:${i + 1},least-request:1`),
        post(gw.url, `model-${i}`, 'least-request'),
      ]);
      for (const res of answers) {
        statuses.push(res.status);
        await res.arrayBuffer();
      }
    }
    expect(new Set(statuses)).toEqual(new Set([400, 200, 404]));
    const series = (await gw.registry.metrics())
      .split('\n')
      .filter((line) => line.startsWith('infernode_gateway_requests_total{'));
    expect(series.sort()).toEqual([
      'infernode_gateway_requests_total{model="m",status="200",strategy="mixed"} 60',
      'infernode_gateway_requests_total{model="other",status="400",strategy="other"} 60',
      'infernode_gateway_requests_total{model="other",status="404",strategy="least-request"} 60',
    ]);
  });
});
