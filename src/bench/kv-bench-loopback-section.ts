/**
 * `bench kv` section `loopback`: the servers as child processes (raw node:net, then a real
 * BlockServer with token auth over a pre-filled BlockStore), the client in this process, so they
 * never share an event loop; see kv-bench-loopback.ts for the cases.
 */
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { resolve as resolvePath } from 'node:path';
import { DEFAULT_MAX_FRAME_BYTES, FRAME_HEADER_BYTES } from '../kvcache/index.js';
import { AppError } from '../shared/index.js';
import { runLoopback, type LoopbackResult } from './kv-bench-loopback.js';
import { startKvServer, type KvServerProcess } from './kv-bench-servers.js';
import { blockSide, rawSide, type KvBenchSide } from './kv-bench-sides.js';

/** The loopback section's knobs (bench kv flags). */
export interface LoopbackSettings {
  readonly blockKib: number;
  readonly batch: number;
  readonly concurrency: number;
  readonly mib: number;
  readonly rounds: number;
  readonly latencySamples: number;
  readonly timeoutMs: number;
  /** Write a --cpu-prof profile of the block server child here ('' = none). */
  readonly cpuProfDir: string;
}

const KiB = 1024;
const MiB = 1024 * KiB;
/** perf.md §10's targets for a 2 MiB get (for 100 GbE; on loopback we report what we measure). */
export const LOOPBACK_GOALS = { ratio: 0.8, singleGetP50Ms: 0.3, singleGetP99Ms: 1 };

/** Throws CONFIG_INVALID when a batch of blocks would not fit one frame. */
export function checkLoopbackSettings(c: LoopbackSettings): void {
  const frameBytes = FRAME_HEADER_BYTES + 4 + c.batch * (12 + c.blockKib * KiB);
  if (frameBytes > DEFAULT_MAX_FRAME_BYTES)
    throw new AppError(
      'CONFIG_INVALID',
      `--batch ${c.batch} blocks of ${c.blockKib} KiB (${frameBytes} bytes) exceed one frame (${DEFAULT_MAX_FRAME_BYTES} bytes)`,
    );
}

/** Runs the loopback section; its result-level fields (goals, machine, note) come with it. */
export async function runLoopbackSection(
  c: LoopbackSettings,
  report: (line: string) => void,
): Promise<{
  loopback: LoopbackResult;
  goals: typeof LOOPBACK_GOALS;
  machine: unknown;
  note: string;
}> {
  checkLoopbackSettings(c);
  const blockBytes = c.blockKib * KiB;
  const frameBytes = FRAME_HEADER_BYTES + 4 + c.batch * (12 + blockBytes);
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
    maxPooledBytes: c.concurrency * frameBytes,
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
    const sideSettings = {
      blockBytes,
      concurrency: c.concurrency,
      callTimeoutMs: c.timeoutMs,
      maxFrameBytes: frameBytes,
    };
    const raw = rawSide(rawServer, sideSettings);
    const block = blockSide(blockServer, token, sideSettings);
    sides.push(raw, block);
    loopback = await runLoopback(raw, block, settings, report);
  } finally {
    for (const side of sides) side.close();
    await Promise.all(servers.map((s) => s.stop()));
  }
  return {
    loopback,
    goals: LOOPBACK_GOALS,
    machine: {
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model ?? 'unknown',
      loadAverageStart,
      loadAverageEnd: os.loadavg(),
    },
    note:
      'loopback on one machine: server in a child process, client in the bench process; raw = node:net ' +
      'moving the same payloads with headers of like size and no protocol work, its client and server ' +
      'each reading into one reused buffer; block = BlockServer (token auth, S3-FIFO BlockStore, put ' +
      'blocks read straight into their store slots, stored then deleted ' +
      'untimed so nothing evicts) and BlockClient (replies read into pooled segments, recycled once ' +
      'counted); both server children run with glibc.malloc.trim_threshold raised',
  };
}
