import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { runPickLoad } from '../../../src/bench/leader-bench-picks.js';

const servers: http.Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await new Promise((resolve) => s.close(resolve));
});

/** A gateway stand-in that answers 200 and records which model reached it. */
async function gateway(seen: string[]): Promise<string> {
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      seen.push((JSON.parse(body) as { model: string }).model);
      res.end('{}');
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('runPickLoad', () => {
  it('spreads the picks over the gateways so that each sees every model', async () => {
    const a: string[] = [];
    const b: string[] = [];
    const result = await runPickLoad({
      gatewayUrls: [await gateway(a), await gateway(b)],
      // As many models as gateways: sent in plain turns, each gateway would see one model.
      models: ['m0', 'm1'],
      rate: 200,
      durationMs: 60,
      timeoutMs: 2000,
    });
    expect(result).toMatchObject({ sent: 12, ok: 12, failures: {} });
    // Rounds of models, in turns: m0 m1 to the first, m0 m1 to the second, ...
    expect([...a].sort()).toEqual(['m0', 'm0', 'm0', 'm1', 'm1', 'm1']);
    expect([...b].sort()).toEqual(['m0', 'm0', 'm0', 'm1', 'm1', 'm1']);
  });

  it('lasts the whole window at rate 0, sending nothing', async () => {
    const seen: string[] = [];
    const started = performance.now();
    const result = await runPickLoad({
      gatewayUrls: [await gateway(seen)],
      models: ['m0'],
      rate: 0,
      durationMs: 300,
      timeoutMs: 1000,
    });
    expect(performance.now() - started).toBeGreaterThanOrEqual(290);
    expect(result.sent).toBe(0);
    expect(seen).toEqual([]);
  });
});
