/**
 * Time to first byte served to an engine through the read-through endpoint. Cold: the first GET of
 * a model the cache does not hold (the endpoint starts the pull; the range is served when its part
 * lands, fetched ahead of the sequential order). Warm: the same GET once the model is published.
 * Each round uses a fresh, empty cache; the figure is the p50 over rounds.
 */
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { median } from './latency-stats.js';
import {
  drainBody,
  engineClient,
  openBenchCache,
  startBenchReadThrough,
  type WeightsBenchContext,
} from './weights-bench-context.js';

/** What the phase measured, ms. */
export interface TtfbResult {
  /** The range asked for: the first 1 MiB of the last shard (not the first part the streamer would fetch). */
  readonly key: string;
  readonly range: string;
  readonly coldMs: readonly number[];
  readonly warmMs: readonly number[];
  readonly coldP50Ms: number;
  readonly warmP50Ms: number;
}

const round1 = (ms: number): number => Math.round(ms * 10) / 10;

async function firstByteMs(
  ctx: WeightsBenchContext,
  client: S3Client,
  key: string,
  range: string,
): Promise<number> {
  const t0 = performance.now();
  const answer = await client.send(
    new GetObjectCommand({ Bucket: ctx.bucket, Key: key, Range: range }),
    { abortSignal: AbortSignal.timeout(ctx.timeoutMs) },
  );
  const { firstChunkAt } = await drainBody(answer.Body as AsyncIterable<Uint8Array> | undefined);
  if (firstChunkAt === undefined) throw new Error(`GET ${key} ${range} returned no bytes`);
  return firstChunkAt - t0;
}

/** Runs `rounds` cold/warm pairs. */
export async function measureTtfb(ctx: WeightsBenchContext, rounds: number): Promise<TtfbResult> {
  const last = ctx.files[ctx.files.length - 1];
  if (last === undefined) throw new Error('the bench model has no files');
  const key = `${ctx.prefix}/${last.path}`;
  const range = `bytes=0-${Math.min(last.bytes, 1024 * 1024) - 1}`;
  const coldMs: number[] = [];
  const warmMs: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const bench = await openBenchCache(ctx, `ttfb-${round}`);
    const endpoint = await startBenchReadThrough(bench.cache);
    const client = engineClient(endpoint.endpoint, 4);
    try {
      coldMs.push(round1(await firstByteMs(ctx, client, key, range)));
      await bench.cache.pull(ctx.uri, { signal: AbortSignal.timeout(ctx.timeoutMs) }).done;
      warmMs.push(round1(await firstByteMs(ctx, client, key, range)));
    } finally {
      client.destroy();
      await endpoint.close();
      await bench.close();
    }
  }
  return {
    key,
    range,
    coldMs,
    warmMs,
    coldP50Ms: median(coldMs),
    warmP50Ms: median(warmMs),
  };
}
