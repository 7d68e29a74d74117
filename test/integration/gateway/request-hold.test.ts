import { afterEach, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import { RequestHold } from '../../../src/gateway/index.js';
import { startSimServer, type SimServer } from '../../../src/sim/index.js';
import { createRegistry, silentLogger } from '../../../src/shared/index.js';
import { FakeExpectedModels } from '../../helpers/fake-expected-models.js';
import {
  FixedCatalog,
  anEngine,
  startGateway,
  type Harness,
} from '../../helpers/gateway-harness.js';
import { waitFor } from '../../helpers/wait-for.js';

let sims: SimServer[] = [];
let gw: Harness | undefined;
afterEach(async () => {
  await gw?.stop();
  await Promise.all(sims.map((s) => s.close()));
  sims = [];
  gw = undefined;
});

async function gatewayWithHold(settings: { holdTimeoutMs: number; maxHeldRequests: number }) {
  const expected = new FakeExpectedModels(['m']);
  const hold = new RequestHold({
    expected,
    registry: createRegistry({ defaultMetrics: false }),
    log: silentLogger(),
    ...settings,
  });
  const catalog = new FixedCatalog([]);
  gw = await startGateway(catalog, { hold });
  return { expected, hold, catalog, url: gw.url };
}

const body = JSON.stringify({
  model: 'm',
  messages: [{ role: 'user', content: 'hello there' }],
  max_tokens: 4,
});
const post = (url: string, signal?: AbortSignal) =>
  fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
    ...(signal === undefined ? {} : { signal }),
  });

describe('gateway hold for an expected model without a ready engine', () => {
  it('holds requests until an engine is ready, then serves every one (openai client), after signalling demand', async () => {
    const { expected, hold, catalog, url } = await gatewayWithHold({
      holdTimeoutMs: 60_000,
      maxHeldRequests: 10,
    });
    const client = new OpenAI({ baseURL: `${url}/v1`, apiKey: 'unused', maxRetries: 0 });
    const requests = [0, 1, 2].map(() =>
      client.chat.completions.create({
        model: 'm',
        messages: [{ role: 'user', content: 'hello there' }],
        max_completion_tokens: 4,
      }),
    );
    await waitFor(() => hold.held('m') === 3, 'three requests held');
    expect(expected.demands.length).toBe(3);
    // The scale-up: an engine starts, joins the catalog, and is reported ready.
    const sim = await startSimServer({ port: 0, model: 'm', speed: 200 });
    sims.push(sim);
    catalog.endpoints = [anEngine('a', sim.url)];
    expected.markReady('m');
    const answers = await Promise.all(requests);
    for (const a of answers) expect(a.choices[0]!.message.content).toBeTruthy();
    expect(hold.held()).toBe(0);
  });

  it('answers 503 with Retry-After in the OpenAI shape when no engine is ready within the hold time', async () => {
    const { url } = await gatewayWithHold({ holdTimeoutMs: 200, maxHeldRequests: 10 });
    const res = await post(url);
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('2');
    const json = (await res.json()) as { error: { code: string; type: string; message: string } };
    expect(json.error.code).toBe('model_not_ready');
    expect(json.error.type).toBe('overloaded_error');
    expect(json.error.message).toContain('model m');
  });

  it('refuses at once with 503 when the hold queue is full', async () => {
    const { hold, expected, url } = await gatewayWithHold({
      holdTimeoutMs: 60_000,
      maxHeldRequests: 1,
    });
    const first = post(url);
    await waitFor(() => hold.held('m') === 1, 'first request held');
    const second = await post(url);
    expect(second.status).toBe(503);
    expect(second.headers.get('retry-after')).toBe('2');
    expect(((await second.json()) as { error: { code: string } }).error.code).toBe(
      'hold_queue_full',
    );
    // The held one is not dropped: released with no engine in the catalog, it gets a 503, not a 404.
    expected.markReady('m');
    expect((await first).status).toBe(503);
  });

  it('takes a request whose client disconnects out of the queue', async () => {
    const { hold, url } = await gatewayWithHold({ holdTimeoutMs: 60_000, maxHeldRequests: 10 });
    const client = new AbortController();
    const request = post(url, client.signal).catch((err: unknown) => err);
    await waitFor(() => hold.held('m') === 1, 'request held');
    client.abort();
    await request;
    await waitFor(() => hold.held('m') === 0, 'request removed from the queue');
  });

  it('still answers 404 for a model nobody expects', async () => {
    const { hold, url } = await gatewayWithHold({ holdTimeoutMs: 60_000, maxHeldRequests: 10 });
    const res = await fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'nobody', messages: [{ role: 'user', content: 'x' }] }),
    });
    expect(res.status).toBe(404);
    expect(hold.held()).toBe(0);
  });
});
