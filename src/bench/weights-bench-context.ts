/**
 * What the weight bench's phases share: the upstream S3 client (one for the streamer and the
 * single-stream baseline alike), a fresh node cache per measurement in its own directory, the
 * read-through endpoint over a cache, and S3 clients standing in for engines.
 */
import { Agent as HttpAgent } from 'node:http';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { createRegistry, silentLogger, sleep, systemClock } from '../shared/index.js';
import {
  DEFAULT_STREAMER_SETTINGS,
  parseArtifactUri,
  type StreamerSettings,
} from '../weights/index.js';
import {
  NodeCache,
  ReadThroughServer,
  S3ArtifactSource,
  streamArtifact,
} from '../weights/adapters/index.js';
import type { BenchModelFile } from './weights-s3-plan.js';

/** The read-through endpoint's key pair in the bench (engines sign with it). */
const ENGINE_CREDENTIALS = { accessKeyId: 'INFERNODEBENCH', secretAccessKey: 'bench-secret' };

/** Everything a phase needs. */
export interface WeightsBenchContext {
  /** Temp root of this run; each cache gets a directory under it. */
  readonly directory: string;
  readonly client: S3Client;
  readonly bucket: string;
  readonly prefix: string;
  readonly uri: string;
  readonly files: readonly BenchModelFile[];
  readonly settings: StreamerSettings;
  /** Bounds every wait of the bench (a pull, a read), ms. */
  readonly timeoutMs: number;
}

/** Streamer settings with the bench's part size and concurrency. */
export function benchStreamerSettings(partBytes: number, concurrency: number): StreamerSettings {
  return { ...DEFAULT_STREAMER_SETTINGS, partBytes, concurrency };
}

/** A node cache in a fresh directory; `close()` stops its pulls and removes the directory. */
export interface BenchCache {
  readonly cache: NodeCache;
  close(): Promise<void>;
}

/** Opens an empty node cache under `<directory>/<name>` over the bench's S3 client. */
export async function openBenchCache(ctx: WeightsBenchContext, name: string): Promise<BenchCache> {
  const dir = join(ctx.directory, name);
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const lifetime = new AbortController();
  const modelBytes = ctx.files.reduce((sum, f) => sum + f.bytes, 0);
  const cache = await NodeCache.open({
    nodeCachePath: dir,
    budgetBytes: modelBytes * 2,
    resolveSource: (uri) => {
      const ref = parseArtifactUri(uri);
      if (ref.scheme !== 's3') throw new Error(`the weight bench serves s3 only, not ${uri}`);
      return { ref, source: new S3ArtifactSource(ref, ctx.client) };
    },
    stream: streamArtifact,
    settings: ctx.settings,
    listTimeoutMs: 30_000,
    registry: createRegistry({ defaultMetrics: false }),
    clock: systemClock,
    log: silentLogger(),
    signal: lifetime.signal,
  });
  return {
    cache,
    async close() {
      lifetime.abort();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** The read-through endpoint over a cache, serving until `close()`. */
export interface BenchReadThrough {
  readonly endpoint: string;
  close(): Promise<void>;
}

/** Starts the read-through S3 endpoint over `cache` on a loopback port. */
export async function startBenchReadThrough(cache: NodeCache): Promise<BenchReadThrough> {
  const server = new ReadThroughServer({
    config: {
      host: '127.0.0.1',
      port: 0,
      ...ENGINE_CREDENTIALS,
      virtualHostDomain: '',
      maxConnections: 256,
      firstByteTimeoutMs: 300_000,
      chunkIdleTimeoutMs: 60_000,
    },
    reader: cache.reader,
    registry: createRegistry({ defaultMetrics: false }),
    log: silentLogger(),
    clock: systemClock,
  });
  const stop = new AbortController();
  const done = server.run(stop.signal);
  for (let waited = 0; server.port === 0; waited += 10) {
    if (waited > 10_000) throw new Error('the read-through endpoint did not listen');
    await sleep(10);
  }
  return {
    endpoint: `http://127.0.0.1:${server.port}`,
    async close() {
      stop.abort();
      await done;
    },
  };
}

/** An S3 client as an engine's loader builds one (AWS_ENDPOINT_URL at the read-through endpoint). */
export function engineClient(endpoint: string, maxSockets: number): S3Client {
  return new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: ENGINE_CREDENTIALS,
    maxAttempts: 1,
    requestHandler: { httpAgent: new HttpAgent({ keepAlive: true, maxSockets }) },
  });
}

/** Drains an SDK body, returning the bytes seen and when the first chunk came (performance.now()). */
export async function drainBody(
  body: AsyncIterable<Uint8Array> | undefined,
): Promise<{ bytes: number; firstChunkAt: number | undefined }> {
  let bytes = 0;
  let firstChunkAt: number | undefined;
  for await (const chunk of body ?? []) {
    firstChunkAt ??= performance.now();
    bytes += chunk.length;
  }
  return { bytes, firstChunkAt };
}
