import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRegistry, silentLogger } from '../../../src/shared/index.js';
import { ManualClock } from '../../helpers/manual-clock.js';
import { NodeCache } from '../../../src/weights/adapters/index.js';
import { artifactCacheKey, parseArtifactUri } from '../../../src/weights/index.js';
import { FakeArtifacts, FakeStreamer, collect, testSettings } from '../../helpers/fake-weights.js';

const S3 = 's3://models/llama';
const HF = 'hf://org/model';

describe('NodeCache.reader (the read-through endpoint’s ArtifactReader)', () => {
  let dir: string;
  let artifacts: FakeArtifacts;
  let streamer: FakeStreamer;
  let stop: AbortController;
  let cache: NodeCache;
  const signal = (): AbortSignal => stop.signal;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cache-reader-'));
    artifacts = new FakeArtifacts();
    artifacts.add(S3, { 'config.json': '{"a":1}', 'sub/w.safetensors': 'weights-bytes' });
    artifacts.add(HF, { 'config.json': '{"hf":true}' });
    streamer = new FakeStreamer();
    stop = new AbortController();
    cache = await NodeCache.open({
      nodeCachePath: dir,
      budgetBytes: 10_000,
      resolveSource: artifacts.resolveSource,
      stream: streamer.stream,
      settings: testSettings,
      listTimeoutMs: 5_000,
      registry: createRegistry(),
      clock: new ManualClock(),
      log: silentLogger(),
      signal: stop.signal,
    });
  });

  afterEach(async () => {
    stop.abort();
    await rm(dir, { recursive: true, force: true });
  });

  it('serves an s3 artifact under its upstream bucket and key, holding the model while open', async () => {
    await cache.pull(S3, { signal: signal() }).done;
    const object = await cache.reader.resolve('models', 'llama/sub/w.safetensors', signal());
    expect(object).toMatchObject({ key: 'llama/sub/w.safetensors', size: 13 });
    expect(object!.etag).toMatch(/^"[0-9a-f]{32}"$/);
    expect((await collect(await object!.read({ start: 8, end: 13 }, signal()))).toString()).toBe(
      'bytes',
    );
    expect(cache.list().models[0]!.inUse).toBe(1);
    await expect(cache.evict(S3)).rejects.toMatchObject({ code: 'WEIGHTS_IN_USE' });
    object!.release();
    object!.release();
    expect(cache.list().models[0]!.inUse).toBe(0);
    expect(await cache.reader.resolve('models', 'llama/nope.bin', signal())).toBeUndefined();
    expect(await cache.reader.resolve('other', 'llama/config.json', signal())).toBeUndefined();
  });

  it('serves other schemes under the infernode bucket as <cache key>/<path>', async () => {
    await cache.pull(HF, { signal: signal() }).done;
    const key = artifactCacheKey(HF);
    const object = await cache.reader.resolve('infernode', `${key}/config.json`, signal());
    expect((await collect(await object!.read({ start: 0, end: 11 }, signal()))).toString()).toBe(
      '{"hf":true}',
    );
    object!.release();
    const listed = await cache.reader.list('infernode', `${key}/`, '', 10, signal());
    expect(listed.keys.map((k) => k.key)).toEqual([`${key}/config.json`]);
    expect(await cache.reader.resolve('infernode', 'config.json', signal())).toBeUndefined();
  });

  it('lists keys for ListObjectsV2: sorted, after startAfter, bounded with truncated', async () => {
    await cache.pull(S3, { signal: signal() }).done;
    const all = await cache.reader.list('models', 'llama/', '', 10, signal());
    expect(all).toMatchObject({
      keys: [
        { key: 'llama/config.json', size: 7 },
        { key: 'llama/sub/w.safetensors', size: 13 },
      ],
      truncated: false,
    });
    const page = await cache.reader.list('models', 'llama/', '', 1, signal());
    expect(page.truncated).toBe(true);
    const next = await cache.reader.list('models', 'llama/', page.keys[0]!.key, 1, signal());
    expect(next.keys.map((k) => k.key)).toEqual(['llama/sub/w.safetensors']);
  });

  it('starts a pull on the first GET of an uncached s3 key, and reads through the stream meanwhile', async () => {
    streamer.pauseBeforeLast = true;
    const object = await cache.reader.resolve('models', 'llama/config.json', signal());
    expect(object).toBeDefined();
    await streamer.whenPaused();
    expect(cache.list().pulls).toHaveLength(1);
    const body = await collect(await object!.read({ start: 0, end: 7 }, signal()));
    expect(body.toString()).toBe('{"a":1}');
    expect(streamer.reads).toEqual(['config.json']);
    // The request that started it has no say over the pull: it runs to the end on its own.
    streamer.release();
    await expect.poll(() => cache.list().models.length).toBe(1);
    object!.release();
    expect(artifacts.listCalls).toBe(1);
  });

  it('starts a pull on a ListObjectsV2 of an uncached s3 prefix', async () => {
    const listed = await cache.reader.list('models', 'llama/', '', 10, signal());
    expect(listed.keys.map((k) => k.key)).toEqual(['llama/config.json', 'llama/sub/w.safetensors']);
    await expect.poll(() => cache.list().models.length).toBe(1);
  });

  it('answers undefined (NoSuchKey) for an s3 name the source does not have', async () => {
    expect(await cache.reader.resolve('models', 'absent/config.json', signal())).toBeUndefined();
    expect((await cache.reader.list('models', 'absent/', '', 10, signal())).keys).toEqual([]);
    expect(await cache.reader.resolve('models', 'config.json', signal())).toBeUndefined();
    expect(cache.list().models).toEqual([]);
  });

  it('serves an s3 artifact whose reference comes from parseArtifactUri (prefix ending in /)', async () => {
    // The real parser names the prefix as a directory ('llama/'); the key must not become 'llama//…'.
    const real = await NodeCache.open({
      nodeCachePath: join(dir, 'real'),
      budgetBytes: 10_000,
      resolveSource: (uri) => ({
        ...artifacts.resolveSource(uri),
        ref: parseArtifactUri(uri),
      }),
      stream: streamer.stream,
      settings: testSettings,
      listTimeoutMs: 5_000,
      registry: createRegistry(),
      clock: new ManualClock(),
      log: silentLogger(),
      signal: stop.signal,
    });
    const object = await real.reader.resolve('models', 'llama/config.json', signal());
    expect(object).toMatchObject({ key: 'llama/config.json', size: 7 });
    object!.release();
    const listed = await real.reader.list('models', 'llama/', '', 10, signal());
    expect(listed.keys.map((k) => k.key)).toEqual(['llama/config.json', 'llama/sub/w.safetensors']);
  });
});
