/**
 * `infernode bench kv`: the agent's KV block service against what the machine's loopback TCP
 * can do, in one run (issue #14). Section `loopback`: the server side runs in a child process
 * (raw node:net, then a real BlockServer with token auth over a pre-filled BlockStore), the
 * client in this process, so they never share an event loop; see kv-bench-loopback.ts for the
 * cases. Section `trace` (the Mooncake conversation trace over routing modes) is left `null`
 * here and filled by its own mode later. Writes bench/results/kv.json.
 */
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { resolve as resolvePath } from 'node:path';
import { DEFAULT_MAX_FRAME_BYTES, FRAME_HEADER_BYTES } from '../kvcache/index.js';
import { AppError, defineCommand, int, str } from '../shared/index.js';
import { runLoopback, type LoopbackResult } from './kv-bench-loopback.js';
import { startKvServer, type KvServerProcess } from './kv-bench-servers.js';
import { blockSide, rawSide, type KvBenchSide } from './kv-bench-sides.js';
import { writeBenchResult } from './results.js';

const spec = {
  blockKib: int(2048, 'block size, KiB (2048: 16 tokens of Llama-3-8B)', { min: 1, max: 8192 }),
  batch: int(32, "blocks per frame of the batched calls (AIBrix's L2 batch)", {
    min: 1,
    max: 1024,
  }),
  concurrency: int(4, 'calls in flight at once, both sides', { min: 1, max: 64 }),
  mib: int(512, 'payload MiB moved per measurement', { min: 1, max: 8192 }),
  rounds: int(3, 'interleaved rounds (best and median kept)', { min: 1, max: 20 }),
  latencySamples: int(100, 'single-block gets timed one at a time, per side per round', {
    min: 1,
    max: 100_000,
  }),
  timeoutMs: int(60_000, 'bound of one call and of a server start, ms', { min: 1000 }),
  cpuProfDir: str('', 'write a --cpu-prof profile of the block server child here'),
  out: str('bench/results/kv.json', 'result file'),
};

const KiB = 1024;
const MiB = 1024 * KiB;
/** perf.md §10's targets for a 2 MiB get (for 100 GbE; on loopback we report what we measure). */
const GOALS = { ratio: 0.8, singleGetP50Ms: 0.3, singleGetP99Ms: 1 };

const stat = (r: LoopbackResult['batchPut']): string =>
  `raw ${r.raw.medianMBps} MB/s (best ${r.raw.bestMBps}), block ${r.block.medianMBps} MB/s ` +
  `(best ${r.block.bestMBps}); block/raw ${r.ratioMedian} median, ${r.ratioBest} best, ` +
  `${r.cpuRatio} by CPU time`;

/** The `kv` bench scenario. */
export const kvBench = defineCommand({
  name: 'kv',
  summary:
    'KV block service put/get MB/s and 2 MiB get p50/p99 vs raw loopback TCP moving the same bytes, one run',
  usage:
    'infernode bench kv [--block-kib 2048] [--batch 32] [--concurrency 4] [--mib 512] [--rounds 3] ' +
    '[--latency-samples 100] [--cpu-prof-dir DIR] [--out bench/results/kv.json]',
  envPrefix: 'BENCH_KV',
  spec,
  async run({ config: c }) {
    const blockBytes = c.blockKib * KiB;
    const frameBytes = FRAME_HEADER_BYTES + 4 + c.batch * (12 + blockBytes);
    if (frameBytes > DEFAULT_MAX_FRAME_BYTES)
      throw new AppError(
        'CONFIG_INVALID',
        `--batch ${c.batch} blocks of ${c.blockKib} KiB (${frameBytes} bytes) exceed one frame (${DEFAULT_MAX_FRAME_BYTES} bytes)`,
      );
    const loadAverageStart = os.loadavg();
    const settings = {
      blockBytes,
      batch: c.batch,
      concurrency: c.concurrency,
      bytesPerMeasurement: c.mib * MiB,
      rounds: c.rounds,
      latencySamples: c.latencySamples,
    };
    const token = randomBytes(16).toString('hex');
    const putBlocks = Math.ceil(settings.bytesPerMeasurement / blockBytes) + c.batch;
    const plan = {
      blockBytes,
      prefillBlocks: c.batch,
      storeBlocks: c.batch + putBlocks,
      maxReplyBytes: frameBytes,
      token,
    };
    const servers: KvServerProcess[] = [];
    const sides: KvBenchSide[] = [];
    let loopback: LoopbackResult;
    try {
      const profile = c.cpuProfDir === '' ? undefined : resolvePath(c.cpuProfDir);
      const rawServer = await startKvServer({ ...plan, mode: 'raw' }, c.timeoutMs);
      servers.push(rawServer);
      const blockServer = await startKvServer({ ...plan, mode: 'block' }, c.timeoutMs, profile);
      servers.push(blockServer);
      const sideSettings = { blockBytes, concurrency: c.concurrency, callTimeoutMs: c.timeoutMs };
      const raw = rawSide(rawServer, sideSettings);
      const block = blockSide(blockServer, token, sideSettings);
      sides.push(raw, block);
      loopback = await runLoopback(raw, block, settings, (line) =>
        process.stderr.write(`${line}\n`),
      );
    } finally {
      for (const side of sides) side.close();
      await Promise.all(servers.map((s) => s.stop()));
    }
    const result = {
      loopback,
      trace: null,
      goals: GOALS,
      machine: {
        cpus: os.cpus().length,
        cpuModel: os.cpus()[0]?.model ?? 'unknown',
        loadAverageStart,
        loadAverageEnd: os.loadavg(),
      },
      note:
        'loopback on one machine: server in a child process, client in the bench process; raw = node:net ' +
        'moving the same payloads with headers of like size and no protocol work; block = BlockServer ' +
        '(token auth, S3-FIFO BlockStore, puts stored then deleted untimed so nothing evicts) and BlockClient',
    };
    const command =
      `infernode bench kv --block-kib ${c.blockKib} --batch ${c.batch} --concurrency ${c.concurrency} ` +
      `--mib ${c.mib} --rounds ${c.rounds} --latency-samples ${c.latencySamples}`;
    const path = await writeBenchResult(c.out, command, result);
    const lat = loopback.singleGetLatency;
    process.stdout.write(
      [
        `batched put (${c.batch} blocks/frame): ${stat(loopback.batchPut)}`,
        `batched get (${c.batch} blocks/frame): ${stat(loopback.batchGet)}`,
        `single-block put: ${stat(loopback.singlePut)}`,
        `single-block get: ${stat(loopback.singleGet)}`,
        `single ${c.blockKib} KiB get latency: block p50 ${lat.block.p50Ms} ms p99 ${lat.block.p99Ms} ms; ` +
          `raw p50 ${lat.raw.p50Ms} ms p99 ${lat.raw.p99Ms} ms`,
        `wrote ${path}`,
        '',
      ].join('\n'),
    );
    return 0;
  },
});
