/**
 * Streamer vs single stream, same client, one run: (a) a node cache pull of the model into an
 * empty cache (S3ArtifactSource + streamArtifact: ranged parts in parallel, positional writes,
 * header validation, rename into place); (b) one plain GetObject per file by the same S3 client,
 * piped to a file in order. The order alternates over rounds so neither always runs on a warmer
 * machine. Both write to the same disk; CPU is this process's (the object store runs apart).
 */
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { median } from './latency-stats.js';
import { openBenchCache, type WeightsBenchContext } from './weights-bench-context.js';

/** One timed transfer of the whole model. */
export interface TransferSample {
  readonly ms: number;
  readonly mbps: number;
  /** User + system CPU of the bench process per GiB moved, ms. */
  readonly cpuMsPerGiB: number;
}

/** Both ways, per round, and the medians. */
export interface ThroughputResult {
  readonly rounds: readonly {
    readonly order: string;
    readonly streamer: TransferSample;
    readonly single: TransferSample;
  }[];
  readonly streamerMBps: number;
  readonly singleStreamMBps: number;
  /** Median streamer MB/s over median single-stream MB/s (goal ≥ 0.9). */
  readonly ratio: number;
  readonly streamerCpuMsPerGiB: number;
  readonly singleStreamCpuMsPerGiB: number;
}

const GiB = 1024 ** 3;

async function timed(bytes: number, run: () => Promise<void>): Promise<TransferSample> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await run();
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return {
    ms: Math.round(ms),
    mbps: Math.round(bytes / 1e6 / (ms / 1000)),
    cpuMsPerGiB: Math.round((cpu.user + cpu.system) / 1000 / (bytes / GiB)),
  };
}

async function streamerPull(ctx: WeightsBenchContext, round: number): Promise<void> {
  const bench = await openBenchCache(ctx, `streamer-${round}`);
  try {
    const model = await bench.cache.pull(ctx.uri, { signal: AbortSignal.timeout(ctx.timeoutMs) })
      .done;
    const expected = ctx.files.reduce((sum, f) => sum + f.bytes, 0);
    if (model.bytes !== expected)
      throw new Error(`pulled ${model.bytes} bytes, expected ${expected}`);
  } finally {
    await bench.close();
  }
}

async function singleStream(ctx: WeightsBenchContext, round: number): Promise<void> {
  const dir = join(ctx.directory, `single-${round}`);
  try {
    for (const file of ctx.files) {
      const path = join(dir, file.path);
      await mkdir(dirname(path), { recursive: true });
      const signal = AbortSignal.timeout(ctx.timeoutMs);
      const answer = await ctx.client.send(
        new GetObjectCommand({ Bucket: ctx.bucket, Key: `${ctx.prefix}/${file.path}` }),
        { abortSignal: signal },
      );
      if (!(answer.Body instanceof Readable)) throw new Error('GetObject gave no Node stream body');
      await pipeline(answer.Body, createWriteStream(path), { signal });
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Runs `rounds` rounds, alternating which way goes first. */
export async function measureThroughput(
  ctx: WeightsBenchContext,
  rounds: number,
): Promise<ThroughputResult> {
  const bytes = ctx.files.reduce((sum, f) => sum + f.bytes, 0);
  const samples: ThroughputResult['rounds'][number][] = [];
  for (let round = 0; round < rounds; round++) {
    const streamerFirst = round % 2 === 0;
    const runStreamer = () => timed(bytes, () => streamerPull(ctx, round));
    const runSingle = () => timed(bytes, () => singleStream(ctx, round));
    if (streamerFirst) {
      const streamer = await runStreamer();
      samples.push({ order: 'streamer first', streamer, single: await runSingle() });
    } else {
      const single = await runSingle();
      samples.push({ order: 'single stream first', single, streamer: await runStreamer() });
    }
  }
  const streamerMBps = Math.round(median(samples.map((s) => s.streamer.mbps)));
  const singleStreamMBps = Math.round(median(samples.map((s) => s.single.mbps)));
  return {
    rounds: samples,
    streamerMBps,
    singleStreamMBps,
    ratio: Number((streamerMBps / singleStreamMBps).toFixed(2)),
    streamerCpuMsPerGiB: Math.round(median(samples.map((s) => s.streamer.cpuMsPerGiB))),
    singleStreamCpuMsPerGiB: Math.round(median(samples.map((s) => s.single.cpuMsPerGiB))),
  };
}
