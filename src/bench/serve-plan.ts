/**
 * `bench serve`'s settings turned into what a run needs: the workload, the list of points (one,
 * or one per sweep value) and the percentiles computed. Pure except for reading a trace file.
 */
import { parsePercentiles, parseRate, parseSweep } from './serve-options.js';
import { readTrace } from './routing-trace.js';
import { sharegptSynthWorkload } from './serve-sharegpt.js';
import { randomWorkload, traceWorkload, type WorkloadRequest } from './serve-workload.js';

/** The flat settings of `bench serve` (its flags). */
export interface ServeBenchConfig {
  readonly baseUrl: string;
  readonly endpoint: string;
  readonly model: string;
  readonly apiKey: string;
  readonly workload: string;
  readonly numPrompts: number;
  readonly inputLen: number;
  readonly outputLen: number;
  readonly rangeRatio: number;
  readonly prefixLen: number;
  readonly maxContext: number;
  readonly trace: string;
  readonly speed: number;
  readonly requestRate: string;
  readonly burstiness: number;
  readonly maxConcurrency: number;
  readonly sweep: string;
  readonly warmup: number;
  readonly percentiles: string;
  readonly goodput: string;
  readonly seed: number;
  readonly timeout: number;
  readonly ignoreEos: boolean;
  readonly out: string;
}

/** One point to run. */
export interface PointPlan {
  readonly label: string;
  /** Infinity = all at once; ignored by trace replay. */
  readonly rate: number;
  readonly maxConcurrency: number;
}

/** The requests of the chosen workload. */
export function buildWorkload(c: ServeBenchConfig): WorkloadRequest[] {
  if (c.workload === 'trace') {
    return traceWorkload(readTrace(c.trace), c.speed).slice(0, c.numPrompts);
  }
  if (c.workload === 'sharegpt-synth') {
    return sharegptSynthWorkload({ count: c.numPrompts, seed: c.seed, maxContext: c.maxContext });
  }
  return randomWorkload({
    count: c.numPrompts,
    inputLen: c.inputLen,
    outputLen: c.outputLen,
    rangeRatio: c.rangeRatio,
    prefixLen: c.prefixLen,
    seed: c.seed,
  });
}

/** The points: one per sweep value, else the single `--request-rate` × `--max-concurrency`. */
export function planPoints(c: ServeBenchConfig): PointPlan[] {
  const sweep = parseSweep(c.sweep);
  const rate = parseRate(c.requestRate);
  if (sweep === undefined) return [{ label: 'single', rate, maxConcurrency: c.maxConcurrency }];
  return sweep.values.map((v) =>
    sweep.kind === 'rate'
      ? {
          label: `rate=${Number.isFinite(v) ? String(v) : 'inf'}`,
          rate: v,
          maxConcurrency: c.maxConcurrency,
        }
      : { label: `concurrency=${v}`, rate, maxConcurrency: v },
  );
}

/** Percentiles computed: the asked ones plus 50 and 99 (the sweep table and chart use them). */
export function computedPercentiles(asked: readonly number[]): number[] {
  return [...new Set([...asked, 50, 99])].sort((a, b) => a - b);
}

/** Problems across flags, as messages (empty when the settings make sense). */
export function planProblems(c: ServeBenchConfig): string[] {
  const problems: string[] = [];
  const attempt = (f: () => unknown): void => {
    try {
      f();
    } catch (err) {
      problems.push(err instanceof Error ? err.message : String(err));
    }
  };
  if (c.baseUrl === '') problems.push('--base-url is required (e.g. http://127.0.0.1:8080)');
  else
    attempt(() => {
      const u = new URL(c.baseUrl);
      if (u.protocol !== 'http:' && u.protocol !== 'https:')
        throw new Error('--base-url must be http(s)');
    });
  attempt(() => parsePercentiles(c.percentiles));
  attempt(() => planPoints(c));
  if (c.workload === 'trace' && c.trace === '')
    problems.push('--workload trace needs --trace FILE');
  if (c.workload === 'trace' && c.sweep.trim().startsWith('rate='))
    problems.push('a trace replays its own timestamps: sweep concurrency, or change --speed');
  return problems;
}
