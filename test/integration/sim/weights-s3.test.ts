/**
 * The simulator's `--load-format runai_streamer` against a real s3rver (started here through the
 * local cluster's object store, which seeds a synthetic model): the Run:ai streamer's access
 * pattern (ListObjectsV2 under the prefix, ranged GETs of one chunk each), every byte read, and
 * a stalled endpoint that keeps the engine from listening until it is stopped or times out.
 * (test/helpers/s3-server.ts is not on main yet: s3rver is started directly.)
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { freePorts, hasCode } from '../../../src/shared/index.js';
import { startSimServer, type SimServer } from '../../../src/sim/index.js';
import {
  S3RVER_CREDENTIALS,
  startObjectStore,
  type LocalObjectStore,
} from '../../../src/up/object-store.js';
import { waitFor } from '../../helpers/wait-for.js';

const MiB = 1024 * 1024;
let root: string;
let store: LocalObjectStore;
let sim: SimServer | undefined;
const servers: Server[] = [];

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'sim-s3-'));
  const [port] = await freePorts(1);
  store = await startObjectStore(
    {
      host: '127.0.0.1',
      port: port ?? 0,
      buckets: ['empty'],
      seed: [{ bucket: 'models', prefix: 'llama-12m', sizeMiB: 12, shards: 2 }],
    },
    root,
  );
}, 60_000);
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});
afterAll(async () => {
  for (const s of servers) s.close();
  await store.close();
  await rm(root, { recursive: true, force: true });
});

const env = (endpoint: string, extra: Record<string, string> = {}): Record<string, string> => ({
  AWS_ENDPOINT_URL: endpoint,
  AWS_ACCESS_KEY_ID: S3RVER_CREDENTIALS.accessKeyId,
  AWS_SECRET_ACCESS_KEY: S3RVER_CREDENTIALS.secretAccessKey,
  AWS_REGION: 'us-east-1',
  ...extra,
});

async function listen(server: Server): Promise<string> {
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A pass-through proxy in front of s3rver that records each request's method, path and Range. */
async function recordingProxy(target: string): Promise<{ url: string; seen: string[] }> {
  const seen: string[] = [];
  const to = new URL(target);
  const url = await listen(
    createServer((req, res) => {
      seen.push(`${req.method} ${req.url} ${req.headers.range ?? ''}`.trim());
      // The Host header is forwarded as signed: s3rver checks the signature against it.
      const up = request(
        {
          host: to.hostname,
          port: to.port,
          method: req.method,
          path: req.url,
          headers: req.headers,
        },
        (answer: IncomingMessage) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      up.on('error', () => res.destroy());
      req.pipe(up);
    }),
  );
  return { url, seen };
}

describe('simulator --load-format runai_streamer from s3:// (s3rver)', () => {
  it('lists the prefix, then reads every byte in ranged GETs of one chunk', async () => {
    const proxy = await recordingProxy(store.url);
    sim = await startSimServer({
      modelPath: 's3://models/llama-12m',
      loadFormat: 'runai_streamer',
      weightsEnv: env(proxy.url, { RUNAI_STREAMER_CHUNK_BYTESIZE: String(5 * MiB) }),
    });
    const client = new S3Client({
      endpoint: store.url,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: S3RVER_CREDENTIALS,
    });
    const listed = await client.send(
      new ListObjectsV2Command({ Bucket: 'models', Prefix: 'llama-12m/' }),
    );
    client.destroy();
    const objects = listed.Contents ?? [];
    const total = objects.reduce((sum, o) => sum + (o.Size ?? 0), 0);
    expect(sim.weights).toMatchObject({ format: 'runai_streamer', weightFiles: 2, bytes: total });
    expect(proxy.seen[0]).toMatch(/^GET \/models\/?\?list-type=2&prefix=llama-12m%2F/);
    const ranges = proxy.seen
      .map((line) => /bytes=(\d+)-(\d+)$/.exec(line))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => Number(m[2]) - Number(m[1]) + 1);
    // Every chunk is at most RUNAI_STREAMER_CHUNK_BYTESIZE; the 6 MiB shards need two each.
    expect(Math.max(...ranges)).toBe(5 * MiB);
    expect(ranges.filter((n) => n === 5 * MiB)).toHaveLength(2);
  });

  it('auto on s3:// is the Run:ai streamer, as in vLLM', async () => {
    sim = await startSimServer({ modelPath: 's3://models/llama-12m/', weightsEnv: env(store.url) });
    expect(sim.weights.format).toBe('runai_streamer');
  });

  it('refuses a prefix with no safetensors and a bucket that does not exist', async () => {
    const none = await startSimServer({
      modelPath: 's3://empty/x',
      loadFormat: 'runai_streamer',
      weightsEnv: env(store.url),
    }).catch((e: unknown) => e);
    expect(hasCode(none, 'WEIGHTS_NOT_FOUND')).toBe(true);
    const missing = await startSimServer({
      modelPath: 's3://no-such-bucket/x',
      loadFormat: 'runai_streamer',
      weightsEnv: env(store.url),
    }).catch((e: unknown) => e);
    expect(hasCode(missing, 'WEIGHTS_NOT_FOUND')).toBe(true);
  });

  it('does not listen while loading; the stop signal ends the load', async () => {
    let asked = false;
    const stalled = await listen(
      createServer(() => {
        asked = true; // never answers
      }),
    );
    const [port] = await freePorts(1);
    const stop = new AbortController();
    const starting = startSimServer({
      port,
      modelPath: 's3://models/llama-12m',
      weightsEnv: env(stalled),
      signal: stop.signal,
    }).catch((e: unknown) => e);
    await waitFor(() => asked, 'the engine to ask the object store');
    const refused = await fetch(`http://127.0.0.1:${port}/health`).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(TypeError);
    stop.abort();
    expect(hasCode(await starting, 'WEIGHTS_ABORTED')).toBe(true);
  });

  it('gives up on an endpoint that does not answer within the I/O timeout', async () => {
    const stalled = await listen(createServer(() => undefined));
    const err = await startSimServer({
      modelPath: 's3://models/llama-12m',
      weightsEnv: env(stalled),
      weightsIoTimeoutMs: 300,
    }).catch((e: unknown) => e);
    expect(hasCode(err, 'WEIGHTS_SOURCE_TIMEOUT')).toBe(true);
  });
});

describe('the local cluster object store (infernode up, objectStore:)', () => {
  it('creates the buckets and seeds a synthetic model the SDK can list', async () => {
    const client = new S3Client({
      endpoint: store.url,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: S3RVER_CREDENTIALS,
    });
    const models = await client.send(new ListObjectsV2Command({ Bucket: 'models' }));
    const empty = await client.send(new ListObjectsV2Command({ Bucket: 'empty' }));
    client.destroy();
    const keys = (models.Contents ?? []).map((o) => o.Key).sort();
    expect(keys).toEqual([
      'llama-12m/config.json',
      'llama-12m/generation_config.json',
      'llama-12m/model-00001-of-00002.safetensors',
      'llama-12m/model-00002-of-00002.safetensors',
      'llama-12m/model.safetensors.index.json',
      'llama-12m/tokenizer.json',
      'llama-12m/tokenizer_config.json',
    ]);
    expect([...store.seeded].sort()).toEqual(keys.map((k) => `s3://models/${k}`));
    expect(empty.Contents ?? []).toEqual([]);
    const shardBytes = (models.Contents ?? [])
      .filter((o) => o.Key?.endsWith('.safetensors') === true)
      .reduce((sum, o) => sum + (o.Size ?? 0), 0);
    expect(shardBytes).toBeGreaterThanOrEqual(12 * MiB);
  });
});
