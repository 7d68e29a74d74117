/**
 * `infernode bench weights` (issue #12): the weight streamer and the node cache against a real
 * S3-compatible store on loopback. s3rver runs in its own process behind a GET-counting proxy,
 * seeded with a synthetic safetensors model; this process is the node. Three figures, one run:
 *  1. streamer vs one plain single-stream GetObject per file, same S3 client (ratio, goal ≥ 0.9);
 *  2. N engines reading one uncached model through the read-through endpoint at once → upstream
 *     GETs per object == parts (one fetch per node), as counted by the store's proxy;
 *  3. time to first byte through the read-through endpoint, cold and warm.
 * Everything lives in a temp directory, removed at the end.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os, { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defineCommand, int, str } from '../shared/index.js';
import { writeBenchResult } from './results.js';
import { benchStreamerSettings, type WeightsBenchContext } from './weights-bench-context.js';
import { createS3Client } from '../weights/adapters/index.js';
import { measureOneFetch } from './weights-one-fetch.js';
import { startBenchObjectStore } from './weights-s3-process.js';
import { benchModelFiles, S3RVER_CREDENTIALS } from './weights-s3-plan.js';
import { measureThroughput } from './weights-throughput.js';
import { measureTtfb } from './weights-ttfb.js';

const MiB = 1024 * 1024;

const spec = {
  sizeMib: int(2048, 'model size, MiB (all shards together)', { min: 1, max: 65_536 }),
  shards: int(2, 'safetensors shards', { min: 1, max: 64 }),
  partMib: int(8, 'streamer part size, MiB', { min: 1, max: 1024 }),
  concurrency: int(16, 'streamer parts in flight', { min: 1, max: 256 }),
  engines: int(4, 'engine stand-ins reading one model at once', { min: 1, max: 64 }),
  rounds: int(3, 'rounds of the streamer/single-stream and time-to-first-byte phases', {
    min: 1,
    max: 20,
  }),
  timeoutS: int(1800, 'bound of any one pull or read, seconds', { min: 10 }),
  out: str('bench/results/weights.json', 'result file'),
};

/** The `weights` bench scenario. */
export const weightsBench = defineCommand({
  name: 'weights',
  summary:
    'weight streamer vs single-stream GET from s3rver, one upstream fetch for N engines, read-through time to first byte',
  usage:
    'infernode bench weights [--size-mib 2048] [--shards 2] [--part-mib 8] [--concurrency 16] [--engines 4] [--rounds 3]',
  envPrefix: 'BENCH_WEIGHTS',
  spec,
  async run({ config }) {
    const directory = await mkdtemp(join(tmpdir(), 'infernode-bench-weights-'));
    const bucket = 'models';
    const prefix = 'bench';
    const files = benchModelFiles(config.sizeMib * MiB, config.shards);
    const started = performance.now();
    const store = await startBenchObjectStore(
      { directory: join(directory, 'store'), bucket, prefix, files },
      config.timeoutS * 1000,
    );
    const seededS = Math.round((performance.now() - started) / 1000);
    const client = await createS3Client({
      endpoint: store.endpoint,
      forcePathStyle: true,
      credentials: S3RVER_CREDENTIALS,
      maxSockets: Math.max(32, config.concurrency * 2),
    });
    const ctx: WeightsBenchContext = {
      directory: join(directory, 'node'),
      client,
      bucket,
      prefix,
      uri: `s3://${bucket}/${prefix}`,
      files,
      settings: benchStreamerSettings(config.partMib * MiB, config.concurrency),
      timeoutMs: config.timeoutS * 1000,
    };
    try {
      const loadBefore = os.loadavg()[0] ?? 0;
      const throughput = await measureThroughput(ctx, config.rounds);
      const oneFetch = await measureOneFetch(ctx, config.engines, store);
      const ttfb = await measureTtfb(ctx, config.rounds);
      const result = {
        model: { bytes: config.sizeMib * MiB, files: files.length, shards: config.shards },
        streamer: { partBytes: ctx.settings.partBytes, concurrency: ctx.settings.concurrency },
        throughput,
        oneFetch,
        ttfb,
        seedSeconds: seededS,
        loadAverage1m: {
          before: Number(loadBefore.toFixed(2)),
          after: Number((os.loadavg()[0] ?? 0).toFixed(2)),
        },
        note: 'loopback; s3rver (its own process, behind a GET-counting proxy) reads from and the node writes to the same disk, page cache not dropped; both ways write every byte to a file; CPU is the bench process only (the store excluded)',
      };
      const path = await writeBenchResult(
        config.out,
        `infernode bench weights --size-mib ${config.sizeMib} --shards ${config.shards} --part-mib ${config.partMib} --concurrency ${config.concurrency} --engines ${config.engines} --rounds ${config.rounds}`,
        result,
      );
      process.stdout.write(`${report(result)}\nwrote ${path}\n`);
      return result.oneFetch.oneFetch && result.oneFetch.everyEngineReadAll ? 0 : 1;
    } finally {
      client.destroy();
      await store.stop();
      await rm(directory, { recursive: true, force: true });
    }
  },
});

function report(r: {
  model: { bytes: number };
  throughput: Awaited<ReturnType<typeof measureThroughput>>;
  oneFetch: Awaited<ReturnType<typeof measureOneFetch>>;
  ttfb: Awaited<ReturnType<typeof measureTtfb>>;
}): string {
  const t = r.throughput;
  const f = r.oneFetch;
  return [
    `model ${Math.round(r.model.bytes / MiB)} MiB`,
    `streamer ${t.streamerMBps} MB/s (${t.streamerCpuMsPerGiB} CPU ms/GiB) vs single stream ${t.singleStreamMBps} MB/s (${t.singleStreamCpuMsPerGiB} CPU ms/GiB): ratio ${t.ratio} (goal ≥ 0.9)`,
    `${f.engines} engines at once through the read-through endpoint: ${f.upstreamGets} upstream GETs for ${f.parts} parts (${f.oneFetch ? 'one fetch' : 'MORE THAN ONE FETCH'}); ${f.everyEngineReadAll ? 'each engine read the whole model' : `ENGINES READ ${f.bytesPerEngine.join(', ')} of ${f.modelBytes} bytes`}, all done in ${f.allEnginesMs} ms`,
    `time to first byte (${r.ttfb.range} of ${r.ttfb.key}): cold p50 ${r.ttfb.coldP50Ms} ms, warm p50 ${r.ttfb.warmP50Ms} ms`,
  ].join('\n');
}
