import { afterEach, describe, expect, it } from 'vitest';
import { startSimServer, type SimServer } from '../../../src/sim/index.js';
import {
  FixedCatalog,
  trafficPolicyFrom,
  anEngine,
  startGateway,
  type Harness,
} from '../../helpers/gateway-harness.js';
import { heldRequest } from '../../helpers/held-request.js';

const KEY = 'sk-alice-0123456789';
let sim: SimServer | undefined;
let gw: Harness | undefined;
afterEach(async () => {
  await gw?.stop();
  await sim?.close();
  gw = undefined;
  sim = undefined;
});

async function start(): Promise<string> {
  sim = await startSimServer({ port: 0, model: 'm', speed: 500 });
  const admission = trafficPolicyFrom({ apiKeys: [{ key: KEY, user: 'a' }] });
  gw = await startGateway(new FixedCatalog([anEngine('a', sim.url)]), { admission });
  return gw.url;
}

const chat = (model: string) =>
  JSON.stringify({ model, messages: [{ role: 'user', content: 'hi' }], max_tokens: 3 });

describe('gateway: the API key is checked first, from the headers', () => {
  it('answers 401 before reading the body', async () => {
    const url = await start();
    // 8 MiB declared, nothing sent: only a check from the headers can answer.
    const res = await heldRequest(url, {
      path: '/v1/chat/completions',
      headers: { 'content-type': 'application/json', 'content-length': String(8 << 20) },
      timeoutMs: 2000,
    });
    expect(res.status).toBe(401);
    expect(res.headers.connection).toBe('close');
    expect(JSON.parse(res.text)).toMatchObject({ error: { code: 'invalid_api_key' } });
  });

  it('tells a caller without a key nothing: no 404 for a model, no 400 for a strategy, no model list', async () => {
    const url = await start();
    const post = (model: string, headers: Record<string, string> = {}) =>
      fetch(`${url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body: chat(model),
      });
    expect((await post('no-such-model')).status).toBe(401);
    expect((await post('m', { 'routing-strategy': 'no-such-strategy' })).status).toBe(401);
    expect((await fetch(`${url}/v1/models`)).status).toBe(401);
    expect((await fetch(`${url}/v1/nowhere`)).status).toBe(401);
    const auth = { authorization: `Bearer ${KEY}` };
    expect((await post('no-such-model', auth)).status).toBe(404);
    expect((await post('m', { ...auth, 'routing-strategy': 'no-such-strategy' })).status).toBe(400);
    const models = await fetch(`${url}/v1/models`, { headers: auth });
    expect(models.status).toBe(200);
    expect(await models.json()).toMatchObject({ data: [{ id: 'm' }] });
    expect((await post('m', auth)).status).toBe(200);
  });

  it('answers an unknown routing strategy from the headers, before the body', async () => {
    const url = await start();
    const res = await heldRequest(url, {
      path: '/v1/chat/completions',
      headers: {
        authorization: `Bearer ${KEY}`,
        'routing-strategy': 'no-such-strategy',
        'content-length': '1000',
      },
      timeoutMs: 2000,
    });
    expect(res.status).toBe(400);
    expect(JSON.parse(res.text)).toMatchObject({ error: { code: 'invalid_routing_strategy' } });
  });
});
