/**
 * The autoscaling bench's flags (spec and typed config), what `--quick` changes, the tunables the
 * strategies run with, and the command line that reproduces a run (written into the result).
 */
import { DEFAULT_AUTOSCALER_TUNABLES, type AutoscalerTunables } from '../autoscaling/index.js';
import { bool, int, num, str } from '../shared/index.js';
import { SCALING_METRICS } from './autoscaling-run.js';
import { WORKLOAD_PATTERNS } from './autoscaling-workload.js';
import { H100_8B_GPU_BLOCKS } from './routing-bench.js';

/** The flags of `infernode bench autoscaling`. */
export const AUTOSCALING_BENCH_SPEC = {
  pattern: str(
    WORKLOAD_PATTERNS.join(','),
    `workloads to replay, comma-separated: ${WORKLOAD_PATTERNS.join(', ')}`,
  ),
  strategies: str(
    'HPA,KPA,APA,SLO',
    'strategies to compare (HPA first: the others are measured against it)',
  ),
  writeTrace: str(
    '',
    'write the (single) --pattern workload as Mooncake-style JSONL to this file and exit',
  ),
  quick: bool(false, 'a short run (180 s workloads, at most 12 rps mean) for tests'),
  duration: int(1500, 'seconds of each workload (AIBrix: 25 min up-and-down)', {
    min: 10,
    max: 86_400,
  }),
  meanRps: num(24, 'the patterns’ mean arrival rate, requests/s', { min: 0.01, max: 10_000 }),
  inputMedian: int(1024, 'median prompt length, tokens (log-normal)', { min: 1, max: 16_384 }),
  outputMedian: int(128, 'median output length, tokens (log-normal)', { min: 1, max: 2048 }),
  seed: int(1, 'seed of the workloads and the routing tie-breaks', { min: 0 }),
  metric: str(
    'num_requests_running',
    `per-pod metric HPA/KPA/APA scale on: ${SCALING_METRICS.join(', ')}`,
  ),
  target: num(
    40,
    'per-pod target of --metric (one simulated H100 serves ~12 rps of this mix at ~45 running)',
    { min: 0 },
  ),
  minReplicas: int(1, 'replicas at least (the run starts with this many, warm)', {
    min: 1,
    max: 64,
  }),
  maxReplicas: int(8, 'replicas at most (AIBrix’s experiments: 8)', { min: 1, max: 64 }),
  sloTtftMs: int(1000, 'TTFT target: the SLO mode aims under it, SLO attainment counts it', {
    min: 1,
  }),
  stableWindowS: int(180, 'observeWindowSeconds (AIBrix default 180)', { min: 1, max: 3600 }),
  panicWindowS: int(60, 'panicWindowSeconds (AIBrix default 60)', { min: 1, max: 3600 }),
  scaleDownCooldownS: int(300, 'scale-down cooldown (AIBrix and HPA default 300)', { min: 0 }),
  profile: str('llama-8b-h100', 'simulator hardware profile'),
  numGpuBlocks: int(H100_8B_GPU_BLOCKS, 'KV blocks of 16 tokens per engine', { min: 1 }),
  maxNumSeqs: int(256, 'engines’ --max-num-seqs', { min: 1 }),
  podStartS: num(10, 'cold start: pod scheduling and container start, seconds (image cached)', {
    min: 0,
  }),
  engineInitS: num(34, 'cold start: vLLM engine init, seconds (vllm#20264: 34 s)', { min: 0 }),
  weightLoadGibps: num(
    3.51,
    'cold start: weight load rate, GiB/s (Run:ai streamer from S3: 3.51)',
    { min: 0.01 },
  ),
  prefetch: bool(
    true,
    'also run each strategy with weights prefetched before its scale-ups (the +prefetch variants)',
  ),
  nodeCacheGibps: num(
    4.93,
    'with prefetch: weight load from the node cache, GiB/s (page cache: 3.4 GiB in 0.69 s)',
    { min: 0.01 },
  ),
  out: str('bench/results/autoscaling.json', 'result JSON (the chart goes next to it, .svg)'),
};

/** The `bench autoscaling` flags, parsed. */
export interface AutoscalingBenchConfig {
  readonly pattern: string;
  readonly strategies: string;
  readonly writeTrace: string;
  readonly quick: boolean;
  readonly duration: number;
  readonly meanRps: number;
  readonly inputMedian: number;
  readonly outputMedian: number;
  readonly seed: number;
  readonly metric: string;
  readonly target: number;
  readonly minReplicas: number;
  readonly maxReplicas: number;
  readonly sloTtftMs: number;
  readonly stableWindowS: number;
  readonly panicWindowS: number;
  readonly scaleDownCooldownS: number;
  readonly profile: string;
  readonly numGpuBlocks: number;
  readonly maxNumSeqs: number;
  readonly podStartS: number;
  readonly engineInitS: number;
  readonly weightLoadGibps: number;
  readonly prefetch: boolean;
  readonly nodeCacheGibps: number;
  readonly out: string;
}

/** `--quick`: 180 s workloads (every pattern and strategy still runs), for tests and smoke runs. */
export const QUICK_DURATION_S = 180;
/** `--quick`: at most this mean rate, requests/s (a third of the work). */
export const QUICK_MEAN_RPS = 12;

/** The config with `--quick` applied. */
export function autoscalingSettings(c: AutoscalingBenchConfig): AutoscalingBenchConfig {
  return c.quick
    ? {
        ...c,
        duration: Math.min(c.duration, QUICK_DURATION_S),
        meanRps: Math.min(c.meanRps, QUICK_MEAN_RPS),
      }
    : c;
}

/** The command line that reproduces the run. */
export function benchCommandLine(c: AutoscalingBenchConfig): string {
  return [
    'node dist/cli/main.js bench autoscaling',
    `--pattern ${c.pattern}`,
    `--strategies ${c.strategies}`,
    `--duration ${c.duration}`,
    `--mean-rps ${c.meanRps}`,
    `--input-median ${c.inputMedian}`,
    `--output-median ${c.outputMedian}`,
    `--seed ${c.seed}`,
    `--metric ${c.metric}`,
    `--target ${c.target}`,
    `--min-replicas ${c.minReplicas}`,
    `--max-replicas ${c.maxReplicas}`,
    `--slo-ttft-ms ${c.sloTtftMs}`,
    `--stable-window-s ${c.stableWindowS}`,
    `--panic-window-s ${c.panicWindowS}`,
    `--scale-down-cooldown-s ${c.scaleDownCooldownS}`,
    `--profile ${c.profile}`,
    `--pod-start-s ${c.podStartS}`,
    `--engine-init-s ${c.engineInitS}`,
    `--weight-load-gibps ${c.weightLoadGibps}`,
    c.prefetch ? '--prefetch' : '--no-prefetch',
    `--node-cache-gibps ${c.nodeCacheGibps}`,
    `--out ${c.out}`,
  ].join(' ');
}

/** AIBrix's annotation defaults (reference/aibrix.md §4.1) with the windows and cooldown from the flags. */
export function tunablesOf(c: AutoscalingBenchConfig): AutoscalerTunables {
  return {
    ...DEFAULT_AUTOSCALER_TUNABLES,
    scaleDownCooldownMs: c.scaleDownCooldownS * 1000,
    stableWindowMs: c.stableWindowS * 1000,
    panicWindowMs: Math.min(c.panicWindowS, c.stableWindowS) * 1000,
    sloTtftMs: c.sloTtftMs,
  };
}
