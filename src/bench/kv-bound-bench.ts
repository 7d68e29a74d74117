/**
 * `infernode bench kv-bound` (issue #14): how much any KV tier could gain on the Mooncake
 * conversation trace, in virtual time. The trace window is replayed in this process on the
 * simulator's own EngineCore (no sockets, no wall clock) with the real bench's engine settings,
 * once per mode (kv-bound-modes.ts) and rate scale: random, prefix-cache as the gateway runs it,
 * prefix-cache on exact GPU contents, and two oracles that hand every engine every block any
 * engine computed (free, or priced over the connector's link). The oracle ÷ prefix ratio says
 * whether the goal (≤ 0.7 × prefix's mean TTFT) is reachable at all, and at which load.
 */
import { bool, defineCommand, int, num, str } from '../shared/index.js';
import { EVICTION_POLICY_NAMES } from '../kvcache/index.js';
import {
  DEFAULT_KV_LINK_BYTES_PER_S,
  HARDWARE_PROFILES,
  SIM_MAX_WAITING_REQUESTS,
} from '../sim/index.js';
import { boundRequests } from './kv-bound-chains.js';
import { runBoundMode, selectBoundModes } from './kv-bound-modes.js';
import { boundRatios, boundRow, boundVerdict, type BoundRow } from './kv-bound-report.js';
import { readTrace, traceWindow } from './routing-trace.js';
import { writeBenchResult } from './results.js';
import os from 'node:os';

/** `bench kv --sections trace` at rate scale 1 on a quiet machine (README), mean TTFT ms. */
export const REAL_BENCH_RATE_SCALE_1 = { random: 16_810, prefix: 3_499, gpuExact: 3_542 } as const;

/**
 * Tokens the L1 stores of `bench kv --sections trace` hold together at their defaults: two
 * nodes × 512 MiB real at 1/1024 of the true KV size = 2 × 4,194,304 true tokens (README).
 */
export const L1_TOKENS_OF_BENCH_KV = 2 * 4_194_304;

const spec = {
  trace: str('/work/shared/traces/mooncake-conversation.jsonl', 'Mooncake trace (JSONL)'),
  duration: num(600, 'seconds of the trace replayed from its start', { min: 1 }),
  rateScales: str('0.5,0.75,1,1.25,1.5', 'arrival-rate multipliers swept (comma list)'),
  modes: str('random,prefix,gpu-exact,oracle-free,oracle-link,oracle-l1', 'modes, in order'),
  engines: int(4, 'simulated engines', { min: 1, max: 256 }),
  profile: str('llama-8b-h100', 'hardware profile of every engine'),
  numGpuBlocks: int(8192, 'GPU KV blocks of 16 tokens per engine', { min: 1 }),
  maxNumSeqs: int(256, 'engines’ --max-num-seqs', { min: 1 }),
  maxNumBatchedTokens: int(8192, 'engines’ --max-num-batched-tokens', { min: 1 }),
  maxModelLen: int(131_072, 'engines’ --max-model-len', { min: 1 }),
  linkBytesPerS: num(DEFAULT_KV_LINK_BYTES_PER_S, 'oracle-link: modeled link, bytes/s', {
    min: 1,
  }),
  l1Tokens: int(
    L1_TOKENS_OF_BENCH_KV,
    'oracle-l1: pooled tier size, tokens (default: bench kv trace’s two nodes’ L1)',
    { min: 16 },
  ),
  l1Policy: str('s3fifo', 'oracle-l1: eviction policy of the pooled tier', {
    oneOf: [...EVICTION_POLICY_NAMES],
  }),
  seed: int(1, 'seed of random routing and tie-breaks', { min: 0 }),
  maxScoredCandidates: int(
    0,
    'routers score a shortlist of at most this many engines, as the gateway does (routing.maxScoredCandidates); 0: all',
    { min: 0 },
  ),
  quick: bool(false, '60 s of the trace at rate scale 1 (the e2e smoke test)'),
  out: str('bench/results/kv-bound.json', 'result file'),
};

/** Seconds of trace and rate scales of --quick. */
const QUICK = { duration: 60, rateScales: '1' } as const;

/** The `kv-bound` bench scenario. */
export const kvBoundBench = defineCommand({
  name: 'kv-bound',
  summary:
    'virtual-time bound on what any KV tier can gain on the Mooncake trace: random, prefix-cache, exact GPU routing and two oracles over rate scales',
  usage:
    'infernode bench kv-bound [--duration 600] [--rate-scales 0.5,0.75,1,1.25,1.5] [--modes …] [--engines 4] [--num-gpu-blocks 8192] [--quick] [--out bench/results/kv-bound.json]',
  envPrefix: 'BENCH_KV_BOUND',
  spec,
  run({ config }) {
    const profile = HARDWARE_PROFILES.get(config.profile);
    if (profile === undefined) throw new Error(`unknown profile ${config.profile}`);
    const duration = config.quick ? QUICK.duration : config.duration;
    const scales = (config.quick ? QUICK.rateScales : config.rateScales)
      .split(',')
      .map((v) => Number(v.trim()))
      .filter((v) => v > 0);
    if (scales.length === 0) throw new Error('--rate-scales: no positive number');
    const modes = selectBoundModes(config.modes);
    const fleet = {
      engines: config.engines,
      profile,
      numGpuBlocks: config.numGpuBlocks,
      blockSizeTokens: 16,
      maxNumSeqs: config.maxNumSeqs,
      maxNumBatchedTokens: config.maxNumBatchedTokens,
      maxModelLen: config.maxModelLen,
      maxWaitingRequests: SIM_MAX_WAITING_REQUESTS,
    };
    const loadAverageStart = os.loadavg();
    const window = traceWindow(readTrace(config.trace), duration);
    const requests = boundRequests(window, fleet.blockSizeTokens);
    const rows: BoundRow[] = [];
    for (const rateScale of scales)
      for (const mode of modes) {
        const started = process.cpuUsage();
        const run = runBoundMode(mode, requests, rateScale, {
          fleet,
          linkBytesPerS: config.linkBytesPerS,
          seed: config.seed,
          maxScoredCandidates: config.maxScoredCandidates,
          tier: {
            blocks: Math.floor(config.l1Tokens / fleet.blockSizeTokens),
            policy: config.l1Policy === 'lru' ? 'lru' : 's3fifo',
          },
        });
        const used = process.cpuUsage(started);
        const row = boundRow(mode, rateScale, run, (used.user + used.system) / 1e6);
        rows.push(row);
        process.stdout.write(`${formatRow(row)}\n`);
      }
    const ratios = boundRatios(rows);
    const verdict = boundVerdict(ratios);
    const result = {
      settings: {
        trace: config.trace,
        durationS: duration,
        requests: requests.length,
        inputTokens: requests.reduce((n, r) => n + r.promptTokens, 0),
        ...fleet,
        profile: profile.name,
        linkBytesPerS: config.linkBytesPerS,
        l1Tokens: config.l1Tokens,
        l1Policy: config.l1Policy,
        seed: config.seed,
        maxScoredCandidates: config.maxScoredCandidates,
        timeUnits:
          'trace time: arrivals at trace timestamp ÷ rate scale; engines in simulated time',
        loadAverageStart,
        loadAverageEnd: os.loadavg(),
      },
      rows,
      ratios,
      verdict,
      fidelity: fidelity(rows),
    };
    const flags = config.quick
      ? '--quick'
      : `--duration ${duration} --rate-scales ${scales.join(',')} --modes ${modes.join(',')} --engines ${config.engines} --num-gpu-blocks ${config.numGpuBlocks} --l1-tokens ${config.l1Tokens} --l1-policy ${config.l1Policy}${config.maxScoredCandidates > 0 ? ` --max-scored-candidates ${config.maxScoredCandidates}` : ''}`;
    return writeBenchResult(config.out, `infernode bench kv-bound ${flags}`, result).then(
      (path) => {
        const lines = ratios.map(
          (r) =>
            `rate ${r.rateScale}: prefix/random ${r.prefixVsRandom}, gpu-exact/prefix ${r.gpuExactVsPrefix}, oracle-free/prefix ${r.oracleFreeVsPrefix}, oracle-link/prefix ${r.oracleLinkVsPrefix}, oracle-l1/prefix ${r.oracleL1VsPrefix}, precise-l1/prefix ${r.preciseL1VsPrefix}, precise-l1-nodes/prefix ${r.preciseL1NodesVsPrefix}`,
        );
        process.stdout.write(`${lines.join('\n')}\n${verdict.summary}\nwrote ${path}\n`);
        return 0;
      },
    );
  },
});

function formatRow(r: BoundRow): string {
  return (
    `rate ${r.rateScale} ${r.mode.padEnd(11)} TTFT mean ${r.ttftMeanMs} p50 ${r.ttftP50Ms} p99 ${r.ttftP99Ms} ms, ` +
    `${r.requestsPerS} req/s, prompt computed ${r.computedShare} / GPU hit ${r.gpuHitShare} / loaded ${r.loadedShare}, ` +
    `engine hit ratio ${r.engineHitRatio}, ${r.preemptions} preemptions, cpu ${r.cpuSeconds} s`
  );
}

/** The virtual figures at rate scale 1 against the real bench's (virtual ÷ real). */
function fidelity(rows: readonly BoundRow[]): Record<string, number> {
  const mean = (mode: BoundRow['mode']): number =>
    rows.find((r) => r.rateScale === 1 && r.mode === mode)?.ttftMeanMs ?? NaN;
  const r3 = (v: number): number => Math.round(v * 1000) / 1000;
  return {
    realRandomMs: REAL_BENCH_RATE_SCALE_1.random,
    realPrefixMs: REAL_BENCH_RATE_SCALE_1.prefix,
    realGpuExactMs: REAL_BENCH_RATE_SCALE_1.gpuExact,
    randomVirtualVsReal: r3(mean('random') / REAL_BENCH_RATE_SCALE_1.random),
    prefixVirtualVsReal: r3(mean('prefix') / REAL_BENCH_RATE_SCALE_1.prefix),
    gpuExactVirtualVsReal: r3(mean('gpu-exact') / REAL_BENCH_RATE_SCALE_1.gpuExact),
  };
}
