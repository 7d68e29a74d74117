import http from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import { startSimServer, type SimServer } from '../../../src/sim/index.js';
import { waitFor } from '../../helpers/wait-for.js';
import {
  FixedCatalog,
  anEngine,
  closedPort,
  startGateway,
  type Harness,
} from '../../helpers/gateway-harness.js';

const chat = (extra: Record<string, unknown> = {}) => ({
  model: 'm',
  messages: [{ role: 'user', content: 'hello there' }],
  max_tokens: 5,
  ...extra,
});
const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

let sims: SimServer[] = [];
let gw: Harness | undefined;
afterEach(async () => {
  await gw?.stop();
  await Promise.all(sims.map((s) => s.close()));
  sims = [];
  gw = undefined;
});

async function sim(faults = {}): Promise<SimServer> {
  const s = await startSimServer({ port: 0, model: 'm', speed: 200, faults });
  sims.push(s);
  return s;
}

describe('gateway proxy', () => {
  it('serves non-streaming and streaming chat through the openai client, with routing headers', async () => {
    const [a, b] = [await sim(), await sim()];
    gw = await startGateway(new FixedCatalog([anEngine('a', a.url), anEngine('b', b.url)]));
    const client = new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'unused' });
    const { data, response } = await client.chat.completions
      .create({
        model: 'm',
        messages: [{ role: 'user', content: 'hello there' }],
        max_completion_tokens: 5,
      })
      .withResponse();
    expect(data.choices[0]!.message.content).toBeTruthy();
    expect(['a', 'b']).toContain(response.headers.get('target-pod'));
    expect(response.headers.get('request-id')).toMatch(/[0-9a-f-]{36}/);
    expect(response.headers.get('routing-strategy')).toBe('least-request');
    const stream = await client.chat.completions.create({
      model: 'm',
      messages: [{ role: 'user', content: 'hello there' }],
      max_completion_tokens: 8,
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let usage: unknown;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text.length).toBeGreaterThan(0);
    expect(usage).toMatchObject({ completion_tokens: 8 });
    const models = await client.models.list();
    expect(models.data.map((m) => m.id)).toEqual(['m']);
  });

  it.each([
    ['malformed JSON', '{nope', 400, /not valid JSON/],
    ['missing messages', { model: 'm' }, 400, /messages/],
    ['missing model', { messages: [{ role: 'user', content: 'x' }] }, 400, /model is required/],
    ['unknown model', chat({ model: 'nope' }), 404, /does not exist/],
  ])(
    'answers %s with its status and an OpenAI error body',
    async (_name, body, status, message) => {
      gw = await startGateway(new FixedCatalog([anEngine('a', (await sim()).url)]));
      const res = await post(gw.url, body);
      expect(res.status).toBe(status);
      const json = (await res.json()) as { error: { message: string; type: string } };
      expect(json.error.message).toMatch(message);
      expect(json.error.type).toBe(
        status === 404 || status === 400 ? 'invalid_request_error' : 'api_error',
      );
    },
  );

  it('answers an unknown routing strategy with 400 listing the valid names', async () => {
    gw = await startGateway(new FixedCatalog([anEngine('a', (await sim()).url)]));
    const res = await post(gw.url, chat(), { 'routing-strategy': 'fastest' });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(
      /valid: (?=.*least-request)(?=.*random)/,
    );
  });

  it('answers a body over the limit with 413', async () => {
    gw = await startGateway(new FixedCatalog([anEngine('a', (await sim()).url)]), {
      maxBodyBytes: 1000,
    });
    const res = await post(
      gw.url,
      chat({ messages: [{ role: 'user', content: 'x'.repeat(5000) }] }),
    );
    expect(res.status).toBe(413);
    expect(((await res.json()) as { error: { type: string } }).error.type).toBe(
      'invalid_request_error',
    );
  });

  it('answers 503 with Retry-After when no engine is ready', async () => {
    gw = await startGateway(
      new FixedCatalog([anEngine('a', 'http://127.0.0.1:1', { ready: false })]),
    );
    const res = await post(gw.url, chat());
    expect(res.status).toBe(503);
    expect(res.headers.get('retry-after')).toBe('2');
  });

  it('retries a refused connection once on another engine, and ejects an engine that keeps failing', async () => {
    const dead = `http://127.0.0.1:${await closedPort()}`;
    const live = await sim();
    gw = await startGateway(
      new FixedCatalog([anEngine('dead', dead), anEngine('live', live.url)]),
      { defaultStrategy: 'random' },
    );
    for (let i = 0; i < 20; i++) {
      const res = await post(gw.url, chat());
      expect(res.status).toBe(200);
      expect(res.headers.get('target-pod')).toBe('live');
      await res.arrayBuffer();
    }
    expect(gw.health.isEjected('n/dead')).toBe(true);
  });

  it('answers 502 when every engine refuses', async () => {
    const [p1, p2] = [await closedPort(), await closedPort()];
    gw = await startGateway(
      new FixedCatalog([
        anEngine('x', `http://127.0.0.1:${p1}`),
        anEngine('y', `http://127.0.0.1:${p2}`),
      ]),
    );
    const res = await post(gw.url, chat());
    expect(res.status).toBe(502);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe(
      'gw_upstream_connect_failed',
    );
  });

  it('answers 504 when engines hang before headers, and retries a hang on a healthy engine', async () => {
    const hung = await sim({ hangRate: 1 });
    gw = await startGateway(new FixedCatalog([anEngine('hung', hung.url)]), {
      timeouts: { firstByteTimeoutMs: 1000 },
    });
    const res = await post(gw.url, chat());
    expect(res.status).toBe(504);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe(
      'gw_upstream_first_byte_timeout',
    );
    await gw.stop();
    const ok = await sim();
    gw = await startGateway(
      new FixedCatalog([anEngine('hung', hung.url), anEngine('ok', ok.url)]),
      { timeouts: { firstByteTimeoutMs: 1000 }, defaultStrategy: 'random' },
    );
    for (let i = 0; i < 4; i++) {
      const r = await post(gw.url, chat());
      expect(r.status).toBe(200);
      await r.arrayBuffer();
    }
  });

  it('retries an engine 500 on another engine before any byte reached the client', async () => {
    const [bad, good] = [await sim({ errorRate: 1 }), await sim()];
    gw = await startGateway(
      new FixedCatalog([anEngine('bad', bad.url), anEngine('good', good.url)]),
      { defaultStrategy: 'random' },
    );
    for (let i = 0; i < 6; i++) {
      const res = await post(gw.url, chat());
      expect(res.status).toBe(200);
      expect(res.headers.get('target-pod')).toBe('good');
      await res.arrayBuffer();
    }
  });

  it('ends a stream whose engine dies mid-way with an error event, never a hang', async () => {
    const dropping = await sim({ dropAfterChunks: 3 });
    gw = await startGateway(new FixedCatalog([anEngine('d', dropping.url)]));
    const res = await post(gw.url, chat({ stream: true, max_tokens: 50 }));
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toMatch(
      /data: \{"error":\{"message":"upstream (connection lost mid-response|closed the response early)"/,
    );
    expect(text).not.toContain('[DONE]');
  });

  it('ends a stream that stalls past the idle timeout with a stream-idle error event', async () => {
    const stalled = http.createServer((req, res) => {
      req.resume();
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write('data: {"choices":[{"delta":{"content":"a"}}]}\n\n');
    });
    await new Promise<void>((r) => stalled.listen(0, '127.0.0.1', r));
    const { port } = stalled.address() as { port: number };
    gw = await startGateway(new FixedCatalog([anEngine('s', `http://127.0.0.1:${port}`)]), {
      timeouts: { streamIdleTimeoutMs: 300 },
    });
    const text = await (await post(gw.url, chat({ stream: true }))).text();
    stalled.closeAllConnections();
    stalled.close();
    expect(text).toContain('"code":"gw_upstream_stream_idle_timeout"');
  });

  it('aborts the upstream request when the client disconnects', async () => {
    const slow = await startSimServer({ port: 0, model: 'm', speed: 1 });
    sims.push(slow);
    gw = await startGateway(new FixedCatalog([anEngine('s', slow.url)]));
    const abort = new AbortController();
    const running = async () =>
      Number(
        /vllm:num_requests_running\{[^}]*\} (\d+)/.exec(
          await (await fetch(`${slow.url}/metrics`)).text(),
        )?.[1] ?? -1,
      );
    const streaming = fetch(`${gw.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(chat({ stream: true, max_tokens: 2000 })),
      signal: abort.signal,
    });
    const response = await streaming;
    const reader = response.body!.getReader();
    await reader.read();
    await waitFor(async () => (await running()) >= 1, 'request running in the engine');
    abort.abort();
    await waitFor(
      async () => (await running()) === 0,
      'engine stopped generating after the client left',
    );
  });
});
