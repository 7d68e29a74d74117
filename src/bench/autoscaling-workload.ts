/**
 * The autoscaling benchmark's workloads: AIBrix's synthetic traffic patterns (benchmarks/generator/
 * workload-generator, `to_fluctuate_pattern_config` and `sine_fluctuation`) plus an up-and-down
 * step pattern after AIBrix's autoscaling doc experiment (RPS 1→4→8→10→2→6). Pure and seeded:
 * the same options give the same trace, written in the Mooncake-style JSONL the routing bench reads
 * (`timestamp` ms, `input_length`, `output_length`, `hash_ids` of 512-token blocks).
 *
 * AIBrix's rate per 1 s interval i of n: rps(i) = round(A·sin(2π·period·i/n) + B + N(0, σ²)),
 * where `period` is the number of sine cycles over the trace and `onlyRise` keeps the running
 * maximum; arrivals within an interval are Poisson (exponential gaps) at that rate, as its
 * `generate_synthetic_from_dist` does.
 */
import { SeededRng, type Rng } from '../shared/index.js';
import { TRACE_BLOCK_TOKENS, type TraceEntry } from './routing-trace.js';

/** The pattern names `--pattern` accepts (AIBrix's four, then ours). */
export const WORKLOAD_PATTERNS = [
  'quick_rising',
  'slow_rising',
  'slight_fluctuation',
  'severe_fluctuation',
  'up_and_down',
] as const;

/** One of WORKLOAD_PATTERNS. */
export type WorkloadPattern = (typeof WORKLOAD_PATTERNS)[number];

/** AIBrix's sine pattern, relative to the mean rate (A and B as fractions of it). */
interface SinePattern {
  readonly kind: 'sine';
  readonly amplitude: number;
  readonly base: number;
  /** Standard deviation of the per-interval noise, requests/s (AIBrix: 0.1). */
  readonly sigma: number;
  /** Sine cycles over the whole trace. */
  readonly period: number;
  readonly onlyRise: boolean;
}

/** Equal-length steps, each a fraction of the mean rate. */
interface StepPattern {
  readonly kind: 'steps';
  readonly levels: readonly number[];
}

/** AIBrix's presets (distribution.py) with the mean factored out; up_and_down is ours. */
export const PATTERN_SHAPES: Readonly<Record<WorkloadPattern, SinePattern | StepPattern>> = {
  quick_rising: { kind: 'sine', amplitude: 0.5, base: 1, sigma: 0.1, period: 5, onlyRise: true },
  slow_rising: { kind: 'sine', amplitude: 0.5, base: 1, sigma: 0.1, period: 0.25, onlyRise: true },
  slight_fluctuation: {
    kind: 'sine',
    amplitude: 0.1,
    base: 1,
    sigma: 0.1,
    period: 1,
    onlyRise: false,
  },
  severe_fluctuation: {
    kind: 'sine',
    amplitude: 0.5,
    base: 1,
    sigma: 0.1,
    period: 12,
    onlyRise: false,
  },
  // AIBrix's doc experiment trend 1→4→8→10→2→6 RPS, as fractions of the mean (level / 5).
  up_and_down: { kind: 'steps', levels: [0.2, 0.8, 1.6, 2, 0.4, 1.2] },
};

/** What a workload is made of. */
export interface WorkloadOptions {
  readonly pattern: WorkloadPattern;
  /** Trace length, seconds (1 s intervals, as AIBrix's default interval_ms 1000). */
  readonly durationS: number;
  /** The pattern's mean rate B, requests/s. */
  readonly meanRps: number;
  /** Median prompt length, tokens (log-normal, σ 0.5). */
  readonly inputMedian: number;
  /** Median output length, tokens (log-normal, σ 0.5). */
  readonly outputMedian: number;
  readonly seed: number;
}

/** Prompt lengths are clamped to this (Mooncake-style traces stay under an 8B model's context). */
export const MAX_INPUT_TOKENS = 16_384;
/** Output lengths are clamped to this. */
export const MAX_OUTPUT_TOKENS = 2_048;
/** Most requests one workload may hold (a bound on memory). */
export const MAX_WORKLOAD_REQUESTS = 2_000_000;

/** A standard normal draw (Box–Muller). */
function gauss(rng: Rng): number {
  const u = Math.max(rng.next(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng.next());
}

/** The target rate of each 1 s interval (AIBrix's `sine_fluctuation`, or the steps). */
export function rateSeries(
  pattern: WorkloadPattern,
  durationS: number,
  meanRps: number,
  rng: Rng,
): number[] {
  const shape = PATTERN_SHAPES[pattern];
  const n = Math.max(1, Math.floor(durationS));
  const out: number[] = [];
  if (shape.kind === 'steps') {
    for (let i = 0; i < n; i++) {
      const step = Math.min(shape.levels.length - 1, Math.floor((i * shape.levels.length) / n));
      out.push((shape.levels[step] as number) * meanRps);
    }
    return out;
  }
  const omega = (2 * Math.PI * shape.period) / n;
  let previous = -1;
  for (let i = 0; i < n; i++) {
    const trend = shape.amplitude * meanRps * Math.sin(omega * i) + shape.base * meanRps;
    let value = Math.max(0, Math.round(trend + shape.sigma * gauss(rng)));
    if (shape.onlyRise) value = Math.max(previous, value);
    previous = value;
    out.push(value);
  }
  return out;
}

/** A log-normal length with the given median, σ 0.5, clamped to [1, max]. */
function lengthAround(median: number, max: number, rng: Rng): number {
  const v = Math.round(median * Math.exp(0.5 * gauss(rng)));
  return Math.min(max, Math.max(1, v));
}

/**
 * The workload's requests, sorted by timestamp. Each request's prompt is its own (fresh hash ids,
 * no prefix shared): the bench measures capacity, not cache affinity.
 */
export function generateWorkload(options: WorkloadOptions): TraceEntry[] {
  const rng = new SeededRng(options.seed);
  const rates = rateSeries(options.pattern, options.durationS, options.meanRps, rng);
  const entries: TraceEntry[] = [];
  let nextHashId = 0;
  let t = 0;
  const endMs = rates.length * 1000;
  while (t < endMs && entries.length < MAX_WORKLOAD_REQUESTS) {
    const rate = rates[Math.min(rates.length - 1, Math.floor(t / 1000))] as number;
    // AIBrix: a zero-rate interval is skipped whole; otherwise an exponential gap at that rate.
    if (rate <= 0) {
      t = (Math.floor(t / 1000) + 1) * 1000;
      continue;
    }
    t += (-Math.log(Math.max(rng.next(), 1e-12)) * 1000) / rate;
    if (t >= endMs) break;
    const inputLength = lengthAround(options.inputMedian, MAX_INPUT_TOKENS, rng);
    const outputLength = lengthAround(options.outputMedian, MAX_OUTPUT_TOKENS, rng);
    const blocks = Math.ceil(inputLength / TRACE_BLOCK_TOKENS);
    const hashIds = Array.from({ length: blocks }, () => nextHashId++);
    entries.push({ timestampMs: Math.round(t), inputLength, outputLength, hashIds });
  }
  return entries;
}

/** The trace as Mooncake-style JSONL (one request per line, trailing newline). */
export function workloadToJsonl(entries: readonly TraceEntry[]): string {
  return entries
    .map(
      (e) =>
        `${JSON.stringify({
          timestamp: e.timestampMs,
          input_length: e.inputLength,
          output_length: e.outputLength,
          hash_ids: e.hashIds,
        })}\n`,
    )
    .join('');
}

/** Requests per second of `entries` in 1 s bins over `durationS` (for charts and checks). */
export function arrivalsPerSecond(entries: readonly TraceEntry[], durationS: number): number[] {
  const bins = new Array<number>(Math.max(1, Math.ceil(durationS))).fill(0);
  for (const e of entries) {
    const i = Math.floor(e.timestampMs / 1000);
    if (i >= 0 && i < bins.length) bins[i] = (bins[i] as number) + 1;
  }
  return bins;
}

/** Parses a `--pattern` value; undefined when unknown. */
export function parsePattern(name: string): WorkloadPattern | undefined {
  const normalized = name.trim().replace(/-/g, '_');
  return (WORKLOAD_PATTERNS as readonly string[]).includes(normalized)
    ? (normalized as WorkloadPattern)
    : undefined;
}

/** Load steps are upward crossings of these fractions of the mean rate (0.25, 0.5, …). */
export const LOAD_STEP_FRACTION = 0.25;

/**
 * When the pattern's load steps up, seconds: for step patterns each rise of level; for sine
 * patterns each upward crossing of a multiple of {@link LOAD_STEP_FRACTION} × mean by the
 * noise-free trend (its running maximum for the rising ones). The first second is no step.
 */
export function loadStepTimesS(pattern: WorkloadPattern, durationS: number): number[] {
  const shape = PATTERN_SHAPES[pattern];
  const n = Math.max(1, Math.floor(durationS));
  const trend: number[] = [];
  if (shape.kind === 'steps') {
    for (let i = 0; i < n; i++)
      trend.push(
        shape.levels[
          Math.min(shape.levels.length - 1, Math.floor((i * shape.levels.length) / n))
        ] as number,
      );
  } else {
    const omega = (2 * Math.PI * shape.period) / n;
    let previous = -Infinity;
    for (let i = 0; i < n; i++) {
      let v = shape.amplitude * Math.sin(omega * i) + shape.base;
      if (shape.onlyRise) v = Math.max(previous, v);
      previous = v;
      trend.push(v);
    }
  }
  const steps: number[] = [];
  for (let i = 1; i < n; i++) {
    const before = trend[i - 1] as number;
    const now = trend[i] as number;
    if (now <= before) continue;
    if (shape.kind === 'steps') {
      steps.push(i);
      continue;
    }
    const crossed =
      Math.floor(now / LOAD_STEP_FRACTION + 1e-9) > Math.floor(before / LOAD_STEP_FRACTION + 1e-9);
    if (crossed) steps.push(i);
  }
  return steps;
}
