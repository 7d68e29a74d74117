import { afterEach, describe, expect, it } from 'vitest';
import { startSimServer, type SimServer } from '../../../src/sim/index.js';
import {
  FixedCatalog,
  trafficPolicyFrom,
  anEngine,
  startGateway,
  type Harness,
} from '../../helpers/gateway-harness.js';

let sim: SimServer | undefined;
let gw: Harness | undefined;
afterEach(async () => {
  await gw?.stop();
  await sim?.close();
});

const body = JSON.stringify({
  model: 'm',
  messages: [{ role: 'user', content: 'hi' }],
  max_tokens: 10,
});
const post = (headers: Record<string, string>) =>
  fetch(`${gw!.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
  });

async function start(file: unknown): Promise<void> {
  sim = await startSimServer({ port: 0, model: 'm', speed: 500 });
  const admission = trafficPolicyFrom(file);
  gw = await startGateway(new FixedCatalog([anEngine('a', sim.url)]), { admission });
}

describe('gateway admission (rate limits and API keys)', () => {
  it('answers 401 with the OpenAI body when keys are configured and the key is missing or wrong', async () => {
    await start({ apiKeys: [{ key: 'sk-alice-0123456789', user: 'alice' }] });
    for (const headers of [{}, { authorization: 'Bearer sk-wrong' }] as Record<string, string>[]) {
      const res = await post(headers);
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({
        error: { type: 'authentication_error', code: 'invalid_api_key' },
      });
    }
    expect((await post({ authorization: 'Bearer sk-alice-0123456789' })).status).toBe(200);
  });

  it('answers 429 with Retry-After once a user’s requests per minute are spent', async () => {
    await start({ limits: { users: { bob: { rpm: 2 } } } });
    expect((await post({ user: 'bob' })).status).toBe(200);
    expect((await post({ user: 'bob' })).status).toBe(200);
    const res = await post({ user: 'bob' });
    expect(res.status).toBe(429);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(await res.json()).toMatchObject({
      error: { type: 'rate_limit_error', code: 'rate_limit_exceeded' },
    });
    expect((await post({ user: 'carol' })).status).toBe(200);
  });
});
