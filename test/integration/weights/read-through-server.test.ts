import {
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import {
  createRegistry,
  silentLogger,
  systemClock,
  type Registry,
} from '../../../src/shared/index.js';
import { ReadThroughServer } from '../../../src/weights/adapters/index.js';
import type { ReadThroughConfig } from '../../../src/weights/index.js';
import { FakeArtifactReader } from '../../helpers/fake-artifact-reader.js';
import { waitFor } from '../../helpers/wait-for.js';

const KEY_ID = 'AKIDINFERNODETEST';
const SECRET = 'secret/of+the-agent';

const running: { stop: AbortController; done: Promise<void> }[] = [];
afterEach(async () => {
  for (const r of running.splice(0)) r.stop.abort();
  await Promise.all(running.map((r) => r.done));
});

async function start(overrides: Partial<ReadThroughConfig> = {}) {
  const reader = new FakeArtifactReader();
  const registry: Registry = createRegistry({ defaultMetrics: false });
  const server = new ReadThroughServer({
    config: {
      host: '127.0.0.1',
      port: 0,
      accessKeyId: KEY_ID,
      secretAccessKey: SECRET,
      virtualHostDomain: '',
      maxConnections: 64,
      firstByteTimeoutMs: 20_000,
      chunkIdleTimeoutMs: 20_000,
      ...overrides,
    },
    reader,
    registry,
    log: silentLogger(),
    clock: systemClock,
  });
  const stop = new AbortController();
  const done = server.run(stop.signal);
  running.push({ stop, done });
  await waitFor(() => server.port !== 0, 'the endpoint to listen');
  const client = (secret = SECRET, keyId = KEY_ID) =>
    new S3Client({
      endpoint: `http://127.0.0.1:${server.port}`,
      region: 'us-east-1',
      forcePathStyle: true,
      maxAttempts: 1,
      credentials: { accessKeyId: keyId, secretAccessKey: secret },
    });
  return { reader, registry, server, s3: client(), client };
}

async function s3Error(promise: Promise<unknown>): Promise<S3ServiceException> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(S3ServiceException);
  return err as S3ServiceException;
}

const shard = 'llama/model-00001-of-00002.safetensors';

describe('read-through S3 endpoint with the AWS SDK as client', () => {
  it('answers HeadObject with size, ETag, Last-Modified and Accept-Ranges', async () => {
    const { reader, s3 } = await start();
    reader.addComplete('models', shard, randomBytes(3000), 'abc123');
    const head = await s3.send(new HeadObjectCommand({ Bucket: 'models', Key: shard }));
    expect(head.ContentLength).toBe(3000);
    expect(head.ETag).toBe('"abc123"');
    expect(head.AcceptRanges).toBe('bytes');
    expect(head.LastModified?.toISOString()).toBe('2025-01-02T03:04:05.000Z');
    // The CRT client's HeadObject carries the GET's Range and reads the size from Content-Range.
    const ranged = await s3.send(
      new HeadObjectCommand({ Bucket: 'models', Key: shard, Range: 'bytes=1000-2999' }),
    );
    expect(ranged.ContentLength).toBe(2000);
    expect(ranged.ContentRange).toBe('bytes 1000-2999/3000');
    expect(reader.holds).toBe(0);
    expect(reader.releases).toBe(2);
  });

  it('serves a whole object and exact ranges (a-b, a-, -n), releasing every object', async () => {
    const { reader, s3 } = await start();
    const bytes = randomBytes(100_000);
    reader.addComplete('models', shard, bytes);
    const get = async (Range?: string) => {
      const out = await s3.send(new GetObjectCommand({ Bucket: 'models', Key: shard, Range }));
      return { out, body: Buffer.from(await out.Body!.transformToByteArray()) };
    };
    const whole = await get();
    expect(whole.body.equals(bytes)).toBe(true);
    const mid = await get('bytes=1000-40999');
    expect(mid.body.equals(bytes.subarray(1000, 41_000))).toBe(true);
    expect(mid.out.ContentRange).toBe('bytes 1000-40999/100000');
    expect((await get('bytes=99000-')).body.equals(bytes.subarray(99_000))).toBe(true);
    expect((await get('bytes=-10')).body.equals(bytes.subarray(99_990))).toBe(true);
    expect(reader.releases).toBe(4);
    expect(reader.holds).toBe(0);
  });

  it('answers NoSuchKey for a missing key and 416 InvalidRange past the end', async () => {
    const { reader, s3 } = await start();
    reader.addComplete('models', shard, randomBytes(10));
    const missing = await s3Error(s3.send(new GetObjectCommand({ Bucket: 'models', Key: 'nope' })));
    expect(missing.name).toBe('NoSuchKey');
    expect(missing.$metadata.httpStatusCode).toBe(404);
    const past = await s3Error(
      s3.send(new GetObjectCommand({ Bucket: 'models', Key: shard, Range: 'bytes=10-20' })),
    );
    expect(past.name).toBe('InvalidRange');
    expect(past.$metadata.httpStatusCode).toBe(416);
    expect(reader.holds).toBe(0);
  });

  it('lists with prefix, delimiter and pagination', async () => {
    const { reader, s3 } = await start();
    for (const key of ['a/config.json', 'a/m-1.safetensors', 'a/m-2.safetensors', 'a/sub/x', 'b/y'])
      reader.addComplete('models', key, randomBytes(5));
    const top = await s3.send(
      new ListObjectsV2Command({ Bucket: 'models', Prefix: 'a/', Delimiter: '/' }),
    );
    expect(top.Contents?.map((c) => c.Key)).toEqual([
      'a/config.json',
      'a/m-1.safetensors',
      'a/m-2.safetensors',
    ]);
    expect(top.CommonPrefixes?.map((p) => p.Prefix)).toEqual(['a/sub/']);
    expect(top.KeyCount).toBe(4);
    expect(top.Contents?.[0]?.Size).toBe(5);
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await s3.send(
        new ListObjectsV2Command({ Bucket: 'models', MaxKeys: 2, ContinuationToken: token }),
      );
      pages++;
      seen.push(...(page.Contents ?? []).map((c) => c.Key!));
      token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
    expect(seen).toEqual([
      'a/config.json',
      'a/m-1.safetensors',
      'a/m-2.safetensors',
      'a/sub/x',
      'b/y',
    ]);
    expect(pages).toBe(3);
    expect(
      (await s3.send(new HeadBucketCommand({ Bucket: 'models' }))).$metadata.httpStatusCode,
    ).toBe(200);
    const none = await s3Error(s3.send(new ListObjectsV2Command({ Bucket: 'nothing' })));
    expect(none.name).toBe('NoSuchBucket');
  });

  it('refuses a wrong secret, an unknown key and an unsigned request with 403', async () => {
    const { reader, client, server } = await start();
    reader.addComplete('models', shard, randomBytes(10));
    const wrong = await s3Error(
      client('not-the-secret').send(new HeadObjectCommand({ Bucket: 'models', Key: shard })),
    );
    expect(wrong.$metadata.httpStatusCode).toBe(403);
    const badSig = await s3Error(
      client('not-the-secret').send(new GetObjectCommand({ Bucket: 'models', Key: shard })),
    );
    expect(badSig.name).toBe('SignatureDoesNotMatch');
    const unknown = await s3Error(
      client(SECRET, 'AKIDUNKNOWN').send(new GetObjectCommand({ Bucket: 'models', Key: shard })),
    );
    expect(unknown.name).toBe('InvalidAccessKeyId');
    const anonymous = await fetch(`http://127.0.0.1:${server.port}/models/${shard}`);
    expect(anonymous.status).toBe(403);
    expect(await anonymous.text()).toContain('<Code>AccessDenied</Code>');
    expect(reader.resolves).toBe(0);
  });

  it('serves a range of an arriving object once that range lands, before the rest', async () => {
    const { reader, s3 } = await start();
    const bytes = randomBytes(200_000);
    const object = reader.addArriving('models', shard, bytes);
    let settled = false;
    const pending = s3
      .send(new GetObjectCommand({ Bucket: 'models', Key: shard, Range: 'bytes=150000-159999' }))
      .then(async (out) => Buffer.from(await out.Body!.transformToByteArray()))
      .finally(() => (settled = true));
    await waitFor(() => reader.reads.length === 1, 'the endpoint to ask the cache for the range');
    expect(reader.reads[0]!.range).toEqual({ start: 150_000, end: 160_000 });
    expect(settled).toBe(false);
    object.land(150_000, 160_000);
    const body = await pending;
    expect(body.equals(bytes.subarray(150_000, 160_000))).toBe(true);
    expect(object.landedBytes()).toBe(10_000);
    expect(reader.holds).toBe(0);
  });

  it('releases the object when the client aborts while its range is still upstream', async () => {
    const { reader, s3 } = await start();
    reader.addArriving('models', shard, randomBytes(50_000));
    const abort = new AbortController();
    const pending = s3.send(
      new GetObjectCommand({ Bucket: 'models', Key: shard, Range: 'bytes=0-999' }),
      {
        abortSignal: abort.signal,
      },
    );
    await waitFor(() => reader.reads.length === 1, 'the read to start');
    expect(reader.holds).toBe(1);
    abort.abort();
    await expect(pending).rejects.toThrow();
    await waitFor(() => reader.releases === 1, 'the object to be released');
    expect(reader.holds).toBe(0);
  });

  it('ends the answer with an error the SDK sees when the reader fails mid-body', async () => {
    const { reader, s3, registry } = await start();
    const object = reader.addComplete('models', shard, randomBytes(500_000));
    object.failAt = 200_000;
    const out = await s3.send(new GetObjectCommand({ Bucket: 'models', Key: shard }));
    expect(out.ContentLength).toBe(500_000);
    await expect(out.Body!.transformToByteArray()).rejects.toThrow();
    await waitFor(() => reader.releases === 1, 'the object to be released');
    const metrics = await registry.getSingleMetricAsString(
      'infernode_weights_read_through_requests_total',
    );
    expect(metrics).toContain('op="get-object",status="aborted"');
  });
});
