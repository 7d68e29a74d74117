import http from 'node:http';
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startSimServer, type SimServer } from '../../../src/sim/index.js';
import type { IntakeLimits } from '../../../src/gateway/index.js';
import {
  FixedCatalog,
  anEngine,
  startGateway,
  type Harness,
} from '../../helpers/gateway-harness.js';
import { heldRequest } from '../../helpers/held-request.js';
import { waitFor } from '../../helpers/wait-for.js';

let sim: SimServer | undefined;
let gw: Harness | undefined;
const sockets: net.Socket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await gw?.stop();
  await sim?.close();
  gw = undefined;
  sim = undefined;
});

async function start(limits: Partial<IntakeLimits>): Promise<string> {
  sim = await startSimServer({ port: 0, model: 'm', speed: 500 });
  gw = await startGateway(new FixedCatalog([anEngine('a', sim.url)]), { limits });
  return gw.url;
}

const chat = JSON.stringify({
  model: 'm',
  messages: [{ role: 'user', content: 'hi' }],
  max_tokens: 3,
});
const json = { 'content-type': 'application/json' };

/** An open TCP connection to the gateway that sends nothing yet. */
async function idleConnection(url: string): Promise<net.Socket> {
  const { port } = new URL(url);
  const socket = net.connect(Number(port), '127.0.0.1');
  sockets.push(socket);
  await new Promise((resolve) => socket.once('connect', resolve));
  return socket;
}

describe('gateway intake limits', () => {
  it('refuses requests on connections past gateway.maxConnections with 503 and Retry-After', async () => {
    const url = await start({ maxConnections: 2 });
    await idleConnection(url);
    await idleConnection(url);
    const res = await fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: json,
      body: chat,
    });
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('1');
    expect(await res.json()).toMatchObject({ error: { code: 'gw_too_many_connections' } });
    for (const s of sockets.splice(0)) s.destroy();
    await waitFor(async () => {
      const again = await fetch(`${url}/v1/chat/completions`, {
        method: 'POST',
        headers: json,
        body: chat,
      });
      return again.status === 200;
    }, 'a connection slot free again');
  });

  it('bounds the request-body bytes in flight: 503 + Retry-After past the budget, released after', async () => {
    const url = await start({ maxInFlightBodyBytes: 1000 });
    const holder = http.request(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { ...json, 'content-length': '800' },
      agent: false,
    });
    holder.on('error', () => undefined); // destroyed on purpose below
    holder.flushHeaders();
    await waitFor(() => gw!.gateway.inFlightBodyBytes === 800, 'the first body holds its bytes');
    const refused = await heldRequest(url, {
      path: '/v1/chat/completions',
      headers: { ...json, 'content-length': '800' },
    });
    expect(refused.status).toBe(503);
    expect(refused.headers['retry-after']).toBe('2');
    expect(JSON.parse(refused.text)).toMatchObject({ error: { code: 'gw_overloaded' } });
    // A chunked body is counted as it arrives.
    const chunked = await heldRequest(url, {
      path: '/v1/chat/completions',
      headers: { ...json, 'transfer-encoding': 'chunked' },
      partialBody: 'x'.repeat(300),
    });
    expect(chunked.status).toBe(503);
    holder.destroy();
    await waitFor(() => gw!.gateway.inFlightBodyBytes === 0, 'the budget released');
    const ok = await fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: json,
      body: chat,
    });
    expect(ok.status).toBe(200);
    expect(gw!.gateway.inFlightBodyBytes).toBe(0);
  });

  it('answers 408 to a body that stalls past gateway.bodyTimeoutMs', async () => {
    const url = await start({ bodyTimeoutMs: 300 });
    const res = await heldRequest(url, {
      path: '/v1/chat/completions',
      headers: { ...json, 'content-length': '1000' },
      partialBody: '{"model":',
    });
    expect(res.status).toBe(408);
    expect(res.elapsedMs).toBeLessThan(2000);
    expect(JSON.parse(res.text)).toMatchObject({ error: { code: 'gw_body_timeout' } });
    await waitFor(() => gw!.gateway.inFlightBodyBytes === 0, 'the budget released');
  });

  it('closes a connection whose headers stall past gateway.headersTimeoutMs', async () => {
    const url = await start({ headersTimeoutMs: 500 });
    const socket = await idleConnection(url);
    socket.write('POST /v1/chat/completions HTTP/1.1\r\nhost: x\r\n');
    const started = performance.now();
    const answer: Buffer[] = [];
    socket.on('data', (d: Buffer) => answer.push(d));
    await new Promise((resolve) => socket.once('close', resolve));
    expect(performance.now() - started).toBeLessThan(3000);
    expect(Buffer.concat(answer).toString()).toMatch(/^HTTP\/1\.1 408/);
  });
});
