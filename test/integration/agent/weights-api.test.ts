import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AgentApi } from '../../../src/agent/agent-api.js';
import { weightsRoutes } from '../../../src/agent/weights-api.js';
import { createRegistry, silentLogger } from '../../../src/shared/index.js';
import { ManualClock } from '../../helpers/manual-clock.js';
import { NodeCache } from '../../../src/weights/adapters/index.js';
import { artifactCacheKey } from '../../../src/weights/index.js';
import { FakeArtifacts, FakeStreamer, testSettings } from '../../helpers/fake-weights.js';
import { waitFor } from '../../helpers/wait-for.js';

const URI = 's3://models/llama';

describe('agent API: weights routes', () => {
  let dir: string;
  let artifacts: FakeArtifacts;
  let streamer: FakeStreamer;
  let stop: AbortController;
  let cache: NodeCache;
  let base: string;

  const start = async (host = '127.0.0.1', apiToken = ''): Promise<void> => {
    const registry = createRegistry();
    cache = await NodeCache.open({
      nodeCachePath: dir,
      budgetBytes: 10_000,
      resolveSource: artifacts.resolveSource,
      stream: streamer.stream,
      settings: testSettings,
      listTimeoutMs: 5_000,
      registry,
      clock: new ManualClock(),
      log: silentLogger(),
      signal: stop.signal,
    });
    const routes = weightsRoutes({ cache, signal: stop.signal, progressIntervalMs: 20 });
    const api = new AgentApi({
      host,
      port: 0,
      registry,
      log: silentLogger(),
      isReady: () => true,
      jsonRoutes: routes.json,
      postRoutes: routes.post,
      apiToken,
    });
    void api.run(stop.signal);
    await waitFor(() => api.port !== 0, 'the agent API to listen');
    base = `http://127.0.0.1:${api.port}`;
  };
  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${base}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  const errorOf = async (res: Response) =>
    ({ status: res.status, ...((await res.json()) as { error: object }).error }) as object;
  const lines = (text: string) =>
    text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'weights-api-'));
    artifacts = new FakeArtifacts();
    artifacts.add(URI, { 'config.json': '{}', 'w.safetensors': 98 });
    streamer = new FakeStreamer();
    stop = new AbortController();
  });

  afterEach(async () => {
    stop.abort();
    await rm(dir, { recursive: true, force: true });
  });

  it('GET /v1/weights lists the cache; POST /v1/weights/pull answers 202 with key and progress', async () => {
    await start();
    const empty = (await (await fetch(`${base}/v1/weights`)).json()) as { models: unknown[] };
    expect(empty).toMatchObject({ budgetBytes: 10_000, models: [], pulls: [], partial: [] });
    const res = await post('/v1/weights/pull', { uri: URI });
    expect(res.status).toBe(202);
    expect(await res.json()).toMatchObject({
      key: artifactCacheKey(URI),
      uri: URI,
      progress: { uri: URI },
    });
    const listed = await waitFor(async () => {
      const body = (await (await fetch(`${base}/v1/weights`)).json()) as {
        models: { uri: string; path: string }[];
      };
      return body.models.length === 1 ? body : undefined;
    }, 'the model to be published');
    expect(listed!.models[0]).toMatchObject({ uri: URI, bytes: 100, inUse: 0 });
  });

  it('streams NDJSON progress with ?wait=1, then one result line', async () => {
    await start();
    streamer.pauseBeforeLast = true;
    const res = await post('/v1/weights/pull?wait=1', { uri: URI });
    expect(res.headers.get('content-type')).toBe('application/x-ndjson');
    await streamer.whenPaused();
    // Let at least one progress line go out while paused, then finish.
    await waitFor(() => cache.list().pulls[0]?.progress.bytesDone === 2, 'the first file');
    streamer.release();
    const all = lines(await res.text());
    expect(all.slice(0, -1).every((l) => l.type === 'progress' && l.uri === URI)).toBe(true);
    expect(all.length).toBeGreaterThan(1);
    expect(all.at(-1)).toMatchObject({
      type: 'result',
      ok: true,
      key: artifactCacheKey(URI),
      path: join(dir, 'weights', 'models', artifactCacheKey(URI)),
    });
  });

  it('ends the NDJSON with the error code when the pull fails (Accept: application/x-ndjson)', async () => {
    await start();
    const res = await post(
      '/v1/weights/pull',
      { uri: 's3://models/absent' },
      { accept: 'application/x-ndjson' },
    );
    expect(res.status).toBe(200);
    expect(lines(await res.text()).at(-1)).toMatchObject({
      type: 'result',
      ok: false,
      code: 'WEIGHTS_NOT_FOUND',
    });
  });

  it('a client that disconnects stops waiting and the pull goes on', async () => {
    await start();
    streamer.pauseBeforeLast = true;
    const client = new AbortController();
    const res = await fetch(`${base}/v1/weights/pull?wait=1`, {
      method: 'POST',
      body: JSON.stringify({ uri: URI }),
      signal: client.signal,
    });
    const reader = res.body!.getReader();
    await reader.read();
    await streamer.whenPaused();
    client.abort();
    streamer.release();
    await waitFor(() => cache.list().models.length === 1, 'the pull to finish without its client');
  });

  it('evicts by uri or key, refusing a model in use', async () => {
    await start();
    await cache.pull(URI, { signal: stop.signal }).done;
    const release = cache.hold(artifactCacheKey(URI));
    expect(await errorOf(await post('/v1/weights/evict', { uri: URI }))).toMatchObject({
      status: 409,
      code: 'WEIGHTS_IN_USE',
    });
    release();
    const res = await post('/v1/weights/evict', { key: artifactCacheKey(URI) });
    expect(await res.json()).toEqual({ evicted: true, key: artifactCacheKey(URI), bytes: 100 });
    expect(await errorOf(await post('/v1/weights/evict', { uri: URI }))).toMatchObject({
      status: 404,
      code: 'WEIGHTS_NOT_FOUND',
    });
  });

  it.each([
    ['not JSON', '{', 400],
    ['an array', '[]', 400],
    ['no uri', {}, 400],
    ['a uri that is not a string', { uri: 7 }, 400],
    ['a body over 16 KiB', { uri: 'x'.repeat(17 * 1024) }, 413],
  ])('refuses %s with AGENT_BAD_REQUEST', async (_name, body, status) => {
    await start();
    expect(await errorOf(await post('/v1/weights/pull', body))).toMatchObject({
      status,
      code: 'AGENT_BAD_REQUEST',
    });
  });

  it('answers a refused URI with its WEIGHTS_* code, and an unknown POST path with 404', async () => {
    await start();
    expect(await errorOf(await post('/v1/weights/pull', { uri: 'gopher://x/y' }))).toMatchObject({
      status: 400,
      code: 'WEIGHTS_UNSUPPORTED_SCHEME',
    });
    expect((await post('/v1/nothing', {})).status).toBe(404);
    expect((await fetch(`${base}/v1/weights`, { method: 'PUT' })).status).toBe(405);
  });

  it('asks for the bearer token when one is set', async () => {
    await start('127.0.0.1', 'secret-token');
    const unauthorized = { status: 401, code: 'AGENT_UNAUTHORIZED' };
    expect(await errorOf(await post('/v1/weights/pull', { uri: URI }))).toMatchObject(unauthorized);
    expect(
      await errorOf(await post('/v1/weights/pull', { uri: URI }, { authorization: 'Bearer nope' })),
    ).toMatchObject(unauthorized);
    const ok = await post(
      '/v1/weights/pull',
      { uri: URI },
      { authorization: 'Bearer secret-token' },
    );
    expect(ok.status).toBe(202);
    expect((await fetch(`${base}/v1/weights`)).status).toBe(200);
  });

  it('refuses POST on a non-loopback address without a token', async () => {
    await start('0.0.0.0');
    expect(await errorOf(await post('/v1/weights/pull', { uri: URI }))).toMatchObject({
      status: 403,
      code: 'AGENT_FORBIDDEN',
    });
    expect(cache.list().pulls).toEqual([]);
  });
});
