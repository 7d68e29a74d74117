/**
 * `bench kv`'s loopback section: put and get throughput of batched (one frame of `batch`
 * blocks) and single-block calls, raw TCP vs the block service, in interleaved rounds (the
 * order alternates each round, so a noisy moment hits both sides alike), and the latency of a
 * single-block get with one call in flight. Every measured call is checked (kv-bench-sides.ts)
 * and the server child's byte counters are read around it, so the result shows the bytes moved.
 */
import { median, summarize, type LatencySummary } from './latency-stats.js';
import type { KvBenchSide } from './kv-bench-sides.js';

/** How the loopback section runs. */
export interface LoopbackSettings {
  readonly blockBytes: number;
  /** Blocks per frame of the batched calls (AIBrix's L2 batch: 32). */
  readonly batch: number;
  /** Calls in flight at once (workers), the same on both sides. */
  readonly concurrency: number;
  /** Payload bytes per measurement. */
  readonly bytesPerMeasurement: number;
  readonly rounds: number;
  /** Single-block gets timed one at a time, per side per round. */
  readonly latencySamples: number;
}

/** One measurement of one side. */
export interface RoundFigure {
  readonly MBps: number;
  readonly payloadBytes: number;
  /** What the server child read and wrote meanwhile (payload + framing). */
  readonly serverBytesIn: number;
  readonly serverBytesOut: number;
  readonly serverCpuMsPerGB: number;
  readonly clientCpuMsPerGB: number;
  /** Minor page faults per GB moved: fresh memory mapped in (each costs CPU a read does not). */
  readonly serverFaultsPerGB: number;
  readonly clientFaultsPerGB: number;
}

/** The figures of one side over the rounds. */
export interface SideFigures {
  readonly bestMBps: number;
  readonly medianMBps: number;
  readonly serverCpuMsPerGB: number;
  readonly clientCpuMsPerGB: number;
  readonly rounds: readonly RoundFigure[];
}

/** One case (e.g. batched puts): both sides and block ÷ raw. */
export interface CaseFigures {
  readonly blocksPerCall: number;
  readonly calls: number;
  readonly raw: SideFigures;
  readonly block: SideFigures;
  readonly ratioBest: number;
  readonly ratioMedian: number;
  /**
   * Raw ÷ block CPU time per GB, server and client summed (medians): the ratio a CPU-bound
   * machine would see, and far less swayed than MB/s by other tenants of a shared machine.
   */
  readonly cpuRatio: number;
}

/** The loopback section of the result. */
export interface LoopbackResult {
  readonly settings: LoopbackSettings;
  readonly batchPut: CaseFigures;
  readonly batchGet: CaseFigures;
  readonly singlePut: CaseFigures;
  readonly singleGet: CaseFigures;
  /** One single-block get in flight at a time; all rounds' samples together. */
  readonly singleGetLatency: { readonly raw: LatencySummary; readonly block: LatencySummary };
}

type Op = 'put' | 'get';
const CASES = [
  ['batchPut', 'put', true],
  ['batchGet', 'get', true],
  ['singlePut', 'put', false],
  ['singleGet', 'get', false],
] as const;

const PUT_KEY_BASE = 1_000_000;
const round2 = (v: number): number => Math.round(v * 100) / 100;

/** Calls per measurement for `perCall` blocks a call. */
export function callsFor(s: LoopbackSettings, perCall: number): number {
  return Math.max(1, Math.round(s.bytesPerMeasurement / (perCall * s.blockBytes)));
}

async function measure(
  side: KvBenchSide,
  op: Op,
  perCall: number,
  s: LoopbackSettings,
): Promise<RoundFigure> {
  const calls = callsFor(s, perCall);
  const keysOf = (i: number): number[] =>
    Array.from({ length: perCall }, (_, j) =>
      op === 'put' ? PUT_KEY_BASE + i * perCall + j : ((i * perCall + j) % s.batch) + 1,
    );
  const before = await side.server.stats();
  const cpu0 = process.cpuUsage();
  const faults0 = process.resourceUsage().minorPageFault;
  const t0 = performance.now();
  let next = 0;
  let payload = 0;
  await Promise.all(
    Array.from({ length: s.concurrency }, async (_, worker) => {
      while (next < calls) {
        const keys = keysOf(next++);
        const moved = await (op === 'put' ? side.put(worker, keys) : side.get(worker, keys));
        payload += moved; // not `payload += await`: that reads payload before the await
      }
    }),
  );
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const faults = process.resourceUsage().minorPageFault - faults0;
  const after = await side.server.stats();
  if (op === 'put') await side.forget(Array.from({ length: calls }, (_, i) => keysOf(i)).flat());
  const gb = payload / 1e9;
  return {
    MBps: Math.round(payload / 1e6 / (ms / 1000)),
    payloadBytes: payload,
    serverBytesIn: after.bytesIn - before.bytesIn,
    serverBytesOut: after.bytesOut - before.bytesOut,
    serverCpuMsPerGB: round2((after.cpuMicros - before.cpuMicros) / 1000 / gb),
    clientCpuMsPerGB: round2((cpu.user + cpu.system) / 1000 / gb),
    serverFaultsPerGB: Math.round((after.pageFaults - before.pageFaults) / gb),
    clientFaultsPerGB: Math.round(faults / gb),
  };
}

/** Times one single-block get at a time, alternating raw and block sample by sample. */
async function latencySamples(
  sides: readonly KvBenchSide[],
  samples: number,
  into: Record<KvBenchSide['name'], number[]>,
): Promise<void> {
  for (let i = 0; i < samples; i++) {
    for (const side of sides) {
      const t0 = performance.now();
      await side.get(0, [(i % 2) + 1]);
      into[side.name].push(performance.now() - t0);
    }
  }
}

function sideFigures(rounds: RoundFigure[]): SideFigures {
  const mbps = rounds.map((r) => r.MBps);
  return {
    bestMBps: Math.max(...mbps),
    medianMBps: median(mbps),
    serverCpuMsPerGB: median(rounds.map((r) => r.serverCpuMsPerGB)),
    clientCpuMsPerGB: median(rounds.map((r) => r.clientCpuMsPerGB)),
    rounds,
  };
}

/** Runs the loopback section over the two sides; `progress` hears one line per measurement. */
export async function runLoopback(
  raw: KvBenchSide,
  block: KvBenchSide,
  s: LoopbackSettings,
  progress: (line: string) => void,
): Promise<LoopbackResult> {
  // Warm-up, untimed: opens every connection, lets both sides' hot paths get compiled, and has
  // each worker receive one batched reply (the block client then reuses that memory, as a
  // running connector would; the first frames into fresh memory are not what a run measures).
  // An untimed put measurement too: the block store's slabs are touched once, as a running
  // agent's are (first touch faults in every page; round 1 used to run at a tenth of the rest).
  const batchKeys = Array.from({ length: s.batch }, (_, i) => i + 1);
  for (const side of [raw, block]) {
    await Promise.all(Array.from({ length: s.concurrency }, (_, w) => side.get(w, batchKeys)));
    await measure(side, 'put', s.batch, s);
  }
  await latencySamples([raw, block], 5, { raw: [], block: [] });
  const figures = new Map<string, RoundFigure[]>();
  const latency = { raw: [] as number[], block: [] as number[] };
  for (let round = 0; round < s.rounds; round++) {
    const order = round % 2 === 0 ? [raw, block] : [block, raw];
    for (const [name, op, batched] of CASES) {
      for (const side of order) {
        const f = await measure(side, op, batched ? s.batch : 1, s);
        const key = `${name}.${side.name}`;
        figures.set(key, [...(figures.get(key) ?? []), f]);
        progress(`round ${round + 1} ${name} ${side.name}: ${f.MBps} MB/s`);
      }
    }
    await latencySamples(order, s.latencySamples, latency);
  }
  const caseOf = (name: string, batched: boolean): CaseFigures => {
    const r = sideFigures(figures.get(`${name}.raw`) ?? []);
    const b = sideFigures(figures.get(`${name}.block`) ?? []);
    const perCall = batched ? s.batch : 1;
    return {
      blocksPerCall: perCall,
      calls: callsFor(s, perCall),
      raw: r,
      block: b,
      ratioBest: round2(b.bestMBps / r.bestMBps),
      ratioMedian: round2(b.medianMBps / r.medianMBps),
      cpuRatio: round2(
        (r.serverCpuMsPerGB + r.clientCpuMsPerGB) / (b.serverCpuMsPerGB + b.clientCpuMsPerGB),
      ),
    };
  };
  return {
    settings: s,
    batchPut: caseOf('batchPut', true),
    batchGet: caseOf('batchGet', true),
    singlePut: caseOf('singlePut', false),
    singleGet: caseOf('singleGet', false),
    singleGetLatency: { raw: summarize(latency.raw), block: summarize(latency.block) },
  };
}
