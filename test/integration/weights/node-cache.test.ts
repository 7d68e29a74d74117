import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRegistry, silentLogger, type Registry } from '../../../src/shared/index.js';
import { ManualClock } from '../../helpers/manual-clock.js';
import { NodeCache } from '../../../src/weights/adapters/index.js';
import { artifactCacheKey } from '../../../src/weights/index.js';
import { FakeArtifacts, FakeStreamer, testSettings } from '../../helpers/fake-weights.js';

const A = 's3://models/a';
const B = 's3://models/b';
const C = 's3://models/c';
const D = 's3://models/d';

describe('NodeCache', () => {
  let dir: string;
  let artifacts: FakeArtifacts;
  let streamer: FakeStreamer;
  let clock: ManualClock;
  let stop: AbortController;
  let registry: Registry;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'node-cache-'));
    artifacts = new FakeArtifacts();
    for (const uri of [A, B, C, D])
      artifacts.add(uri, { 'config.json': '{}', 'w.safetensors': 98 });
    streamer = new FakeStreamer();
    clock = new ManualClock();
    stop = new AbortController();
  });

  afterEach(async () => {
    stop.abort();
    await rm(dir, { recursive: true, force: true });
  });

  const open = (budgetBytes = 1000, source = artifacts): Promise<NodeCache> => {
    registry = createRegistry();
    return NodeCache.open({
      nodeCachePath: dir,
      budgetBytes,
      resolveSource: source.resolveSource,
      stream: streamer.stream,
      settings: testSettings,
      listTimeoutMs: 5_000,
      registry,
      clock,
      log: silentLogger(),
      signal: stop.signal,
    });
  };
  const pull = async (cache: NodeCache, uri: string) => {
    clock.advance(1000);
    return cache.pull(uri, { signal: stop.signal }).done;
  };
  const metric = async (name: string): Promise<number> =>
    (await registry.getSingleMetric(name)!.get()).values.reduce((s, v) => s + v.value, 0);

  it('publishes the files under models/<key>, and a hit costs no list call', async () => {
    const cache = await open();
    const model = await pull(cache, A);
    expect(model.path).toBe(join(dir, 'weights', 'models', artifactCacheKey(A)));
    expect(await readFile(join(model.path, 'config.json'), 'utf8')).toBe('{}');
    expect(await readdir(join(dir, 'weights', 'staging'))).toEqual([]);
    expect(artifacts.listCalls).toBe(1);
    const again = await pull(cache, `${A}/`);
    expect(again.path).toBe(model.path);
    expect(artifacts.listCalls).toBe(1);
    expect(streamer.starts).toBe(1);
    expect(await metric('infernode_weights_cache_hits_total')).toBe(1);
    expect(await metric('infernode_weights_cache_misses_total')).toBe(1);
    expect(await metric('infernode_weights_bytes_fetched_total')).toBe(100);
    expect(await metric('infernode_weights_cache_bytes')).toBe(100);
    expect(cache.list().models).toMatchObject([{ uri: A, bytes: 100, inUse: 0 }]);
  });

  it('shares one stream among four concurrent pulls of one artifact', async () => {
    const cache = await open();
    const handles = [1, 2, 3, 4].map(() => cache.pull(A, { signal: stop.signal }));
    expect(new Set(handles.map((h) => h.key)).size).toBe(1);
    const models = await Promise.all(handles.map((h) => h.done));
    expect(new Set(models.map((m) => m.path)).size).toBe(1);
    expect(streamer.starts).toBe(1);
    expect(artifacts.listCalls).toBe(1);
  });

  it('keeps the shared pull going when one caller leaves, and stops it when all have', async () => {
    const cache = await open();
    streamer.pauseBeforeLast = true;
    const leaving = new AbortController();
    const first = cache.pull(A, { signal: leaving.signal });
    const second = cache.pull(A, { signal: stop.signal });
    await streamer.whenPaused();
    leaving.abort();
    await expect(first.done).rejects.toMatchObject({ code: 'WEIGHTS_ABORTED' });
    streamer.release();
    expect((await second.done).bytes).toBe(100);

    const both = [new AbortController(), new AbortController()];
    const pulls = both.map((c) => cache.pull(B, { signal: c.signal }));
    await streamer.whenPaused();
    both.forEach((c) => c.abort());
    for (const p of pulls) await expect(p.done).rejects.toMatchObject({ code: 'WEIGHTS_ABORTED' });
    await expect.poll(() => cache.list().pulls.length).toBe(0);
    expect(cache.list().models.map((m) => m.uri)).toEqual([A]);
    // What the stopped pull wrote stays for resume and counts against the budget.
    expect(cache.list().partial).toEqual([{ key: artifactCacheKey(B), bytes: 2 }]);
  });

  it('evicts the least recently used idle models to make room', async () => {
    const cache = await open(300);
    await pull(cache, A);
    await pull(cache, B);
    await pull(cache, C);
    await pull(cache, A); // a hit: A is now the most recently used
    await pull(cache, D);
    expect(
      cache
        .list()
        .models.map((m) => m.uri)
        .sort(),
    ).toEqual([A, C, D]);
    await expect
      .poll(() => existsSync(join(dir, 'weights', 'models', artifactCacheKey(B))))
      .toBe(false);
  });

  it('never evicts a model in use, and says WEIGHTS_CACHE_FULL when nothing idle is left', async () => {
    const cache = await open(300);
    await pull(cache, A);
    await pull(cache, B);
    await pull(cache, C);
    const releases = [A, B].map((uri) => cache.hold(artifactCacheKey(uri)));
    await pull(cache, D);
    expect(
      cache
        .list()
        .models.map((m) => m.uri)
        .sort(),
    ).toEqual([A, B, D]);
    const held = cache.hold(artifactCacheKey(D));
    artifacts.add('s3://models/e', { 'w.safetensors': 50 });
    await expect(pull(cache, 's3://models/e')).rejects.toMatchObject({
      code: 'WEIGHTS_CACHE_FULL',
      httpStatus: 507,
    });
    expect(existsSync(join(dir, 'weights', 'staging', artifactCacheKey('s3://models/e')))).toBe(
      false,
    );
    expect(cache.list().models).toHaveLength(3);
    // Released, the same pull fits by evicting the least recently used.
    [...releases, held].forEach((release) => release());
    expect((await pull(cache, 's3://models/e')).bytes).toBe(50);
  });

  it('publishes nothing from a failed pull and gives its reservation back', async () => {
    const cache = await open(200);
    streamer.failAfterFirst = true;
    await expect(pull(cache, A)).rejects.toMatchObject({ code: 'WEIGHTS_SOURCE_FAILED' });
    expect(existsSync(join(dir, 'weights', 'models', artifactCacheKey(A)))).toBe(false);
    expect(cache.list().pulls).toEqual([]);
    expect(cache.list().partial).toEqual([{ key: artifactCacheKey(A), bytes: 2 }]);
    streamer.failAfterFirst = false;
    await pull(cache, B);
    // B (100) + C (100) fill the budget only once A's partial files (2) are evicted.
    await pull(cache, C);
    expect(cache.list().partial).toEqual([]);
    expect(
      cache
        .list()
        .models.map((m) => m.uri)
        .sort(),
    ).toEqual([B, C]);
  });

  it('knows its models after a restart and resumes a partial pull from staging', async () => {
    const first = await open();
    await pull(first, A);
    streamer.failAfterFirst = true;
    await expect(pull(first, B)).rejects.toMatchObject({ code: 'WEIGHTS_SOURCE_FAILED' });
    stop.abort();
    stop = new AbortController();
    streamer.failAfterFirst = false;

    const fresh = new FakeArtifacts();
    for (const uri of [A, B]) fresh.add(uri, { 'config.json': '{}', 'w.safetensors': 98 });
    const second = await open(1000, fresh);
    expect(second.list().models.map((m) => m.uri)).toEqual([A]);
    expect(second.list().partial.map((p) => p.key)).toEqual([artifactCacheKey(B)]);
    await pull(second, A);
    expect(fresh.listCalls).toBe(0);
    await pull(second, B);
    expect(streamer.resumed.at(-1)).toEqual(['config.json']);
    expect(second.list().partial).toEqual([]);
  });

  it('refuses to evict a model in use or being pulled, and evicts an idle one', async () => {
    const cache = await open();
    await pull(cache, A);
    const key = artifactCacheKey(A);
    const release = cache.hold(key);
    await expect(cache.evict(A)).rejects.toMatchObject({ code: 'WEIGHTS_IN_USE', httpStatus: 409 });
    release();
    release(); // idempotent: one hold, one release
    expect(await cache.evict(A)).toEqual({ key, bytes: 100 });
    expect(existsSync(join(dir, 'weights', 'models', key))).toBe(false);
    await expect(cache.evictKey(key)).rejects.toMatchObject({ code: 'WEIGHTS_NOT_FOUND' });
    await expect(cache.evictKey('../etc')).rejects.toMatchObject({ code: 'WEIGHTS_NOT_FOUND' });

    streamer.pauseBeforeLast = true;
    const pulling = cache.pull(B, { signal: stop.signal });
    await streamer.whenPaused();
    await expect(cache.evictKey(pulling.key)).rejects.toMatchObject({ code: 'WEIGHTS_IN_USE' });
    streamer.release();
    await pulling.done;
  });

  it('throws the source’s error for a bad URI, before any fetch', async () => {
    const cache = await open();
    expect(() => cache.pull('gopher://x/y', { signal: stop.signal })).toThrow(
      expect.objectContaining({ code: 'WEIGHTS_UNSUPPORTED_SCHEME' }),
    );
    await expect(pull(cache, 's3://models/none')).rejects.toMatchObject({
      code: 'WEIGHTS_NOT_FOUND',
    });
    expect(cache.list().partial).toEqual([]);
  });
});
