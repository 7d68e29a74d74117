/**
 * `infernode bench serve --base-url URL`: a load generator for any OpenAI-compatible endpoint
 * (infernode's gateway, a bare vLLM or the simulator, another gateway) with vLLM's `bench serve`
 * metric definitions (serve-metrics.ts). Runs one point, or one per `--sweep` value with a
 * warm-up before each, prints vLLM's result block and a sweep table, and writes a JSON report
 * with an SVG chart next to it (throughput against TTFT/TPOT p50/p99).
 */
import { setMaxListeners } from 'node:events';
import { writeFile } from 'node:fs/promises';
import { bool, defineCommand, int, num, str, type Command } from '../shared/index.js';
import { writeBenchResult } from './results.js';
import { firstServedModel, serveAgent, type ServeTarget } from './serve-client.js';
import { computeServeMetrics, type RequestOutcome } from './serve-metrics.js';
import { parseGoodput, parsePercentiles } from './serve-options.js';
import {
  buildWorkload,
  computedPercentiles,
  planPoints,
  planProblems,
  type PointPlan,
  type ServeBenchConfig,
} from './serve-plan.js';
import { pointProgress } from './serve-progress.js';
import { resultBlock, sweepTable, type ServePointResult } from './serve-report.js';
import { runLoad } from './serve-run.js';
import { sweepChartSvg } from './serve-svg.js';
import type { WorkloadRequest } from './serve-workload.js';

const spec = {
  baseUrl: str('', 'server root URL, e.g. http://127.0.0.1:8080 (required)'),
  endpoint: str('/v1/completions', 'API path', {
    oneOf: ['/v1/completions', '/v1/chat/completions'],
  }),
  model: str('', 'model to request; default: the first one /v1/models lists'),
  apiKey: str('', 'sent as Authorization: Bearer'),
  workload: str('random', 'request set', { oneOf: ['random', 'sharegpt-synth', 'trace'] }),
  numPrompts: int(200, 'requests per point (trace: the first N entries)', {
    min: 1,
    max: 1_000_000,
  }),
  inputLen: int(1024, 'random: prompt tokens', { min: 1 }),
  outputLen: int(128, 'random: output tokens (max_tokens)', { min: 1 }),
  rangeRatio: num(0, 'random: lengths uniform within ±ratio of the target', { min: 0, max: 1 }),
  prefixLen: int(0, 'random: tokens of a prefix shared by every request', { min: 0 }),
  maxContext: int(8192, 'sharegpt-synth: a conversation ends before passing this many tokens', {
    min: 2048,
  }),
  trace: str('', 'trace: Mooncake-format JSONL file'),
  speed: num(1, 'trace: replay x times faster', { min: 0.001 }),
  requestRate: str('inf', 'requests per second (Poisson or gamma arrivals), or inf = all at once'),
  burstiness: num(1, 'gamma shape of the arrivals: 1 = Poisson, <1 burstier', { min: 0.01 }),
  maxConcurrency: int(0, 'most requests in flight (0 = no cap)', { min: 0 }),
  sweep: str('', 'one run per value: rate=1,2,4,8 or concurrency=1,4,16'),
  warmup: int(4, 'requests sent and discarded before each point', { min: 0 }),
  percentiles: str('50,90,99', 'percentiles reported for TTFT, TPOT, ITL and E2EL'),
  goodput: str('', 'SLOs for goodput, ms: "ttft:500 tpot:50 e2el:10000"'),
  seed: int(0, 'workload and arrival seed'),
  timeout: num(600, 'per-request limit, seconds', { min: 0.1 }),
  ignoreEos: bool(true, 'send ignore_eos so exactly max_tokens come back (vLLM extension)'),
  out: str('bench/results/serve.json', 'JSON report (the chart goes next to it, .svg)'),
};

const say = (line: string): void => void process.stderr.write(`${line}\n`);

/** Without the trace's arrival times: warm-up requests go all at once. */
const untimed = (r: WorkloadRequest): WorkloadRequest => ({
  inputTokens: r.inputTokens,
  outputTokens: r.outputTokens,
  messages: () => r.messages(),
});

async function runPoint(
  c: ServeBenchConfig,
  target: ServeTarget,
  requests: readonly WorkloadRequest[],
  point: PointPlan,
  signal: AbortSignal,
): Promise<{ outcomes: RequestOutcome[]; durationMs: number }> {
  const shape = {
    rate: point.rate,
    burstiness: c.burstiness,
    maxConcurrency: point.maxConcurrency,
    seed: c.seed,
  };
  if (c.warmup > 0) {
    const warm = requests.slice(0, c.warmup).map(untimed);
    await runLoad(target, warm, { ...shape, rate: Infinity }, signal);
  }
  const progress = pointProgress(point.label, requests.length, process.stderr.isTTY);
  try {
    return await runLoad(target, requests, shape, signal, (o) => progress.settled(o));
  } finally {
    progress.stop();
  }
}

/** Runs every point of `c` and returns the report's result object and points. */
export async function runServeBench(
  c: ServeBenchConfig,
  signal: AbortSignal,
): Promise<{ model: string; points: ServePointResult[] }> {
  const points = planPoints(c);
  const percentiles = computedPercentiles(parsePercentiles(c.percentiles));
  const slos = parseGoodput(c.goodput);
  const baseUrl = new URL(c.baseUrl);
  const most = Math.max(c.numPrompts, c.warmup, 1);
  const agent = serveAgent(baseUrl, Math.min(most, 4096));
  // Every request in flight listens on the run's signal (its linkedSignal): as many as requests.
  setMaxListeners(most + 16, signal);
  try {
    const base = {
      baseUrl,
      endpoint: c.endpoint as ServeTarget['endpoint'],
      apiKey: c.apiKey,
      ignoreEos: c.ignoreEos,
      timeoutMs: c.timeout * 1000,
      agent,
    };
    const model = c.model !== '' ? c.model : await firstServedModel(base, signal);
    const target: ServeTarget = { ...base, model };
    const requests = buildWorkload(c);
    const results: ServePointResult[] = [];
    for (const point of points) {
      if (signal.aborted) break;
      const run = await runPoint(c, target, requests, point, signal);
      const result: ServePointResult = {
        label: point.label,
        requestRate: c.workload === 'trace' || !Number.isFinite(point.rate) ? null : point.rate,
        maxConcurrency: point.maxConcurrency,
        metrics: computeServeMetrics(run.outcomes, run.durationMs, percentiles, slos),
      };
      results.push(result);
      process.stdout.write(`${resultBlock(result, parsePercentiles(c.percentiles))}\n`);
    }
    return { model, points: results };
  } finally {
    agent.destroy();
  }
}

function commandLine(c: ServeBenchConfig): string {
  const flags = Object.entries(c)
    .filter(
      ([k, v]) =>
        k !== 'apiKey' &&
        v !== '' &&
        v !== (spec as Record<string, { default: unknown }>)[k]?.default,
    )
    .map(([k, v]) => `--${k.replace(/[A-Z]/g, (ch) => `-${ch.toLowerCase()}`)} ${String(v)}`);
  return [
    'infernode bench serve',
    `--base-url ${c.baseUrl}`,
    ...flags.filter((f) => !f.startsWith('--base-url')),
  ].join(' ');
}

/** The `serve` bench scenario. */
export const serveBench: Command = defineCommand({
  name: 'serve',
  summary: 'load-test any OpenAI-compatible endpoint with vLLM bench serve metrics',
  usage:
    'infernode bench serve --base-url <url> [--model <m>] [--api-key <k>] [--endpoint /v1/chat/completions] [--workload random|sharegpt-synth|trace] [--request-rate <r>|inf] [--max-concurrency <c>] [--sweep rate=1,2,4] [--goodput "ttft:500 tpot:50"] [--out <file.json>]',
  envPrefix: 'BENCH_SERVE',
  spec,
  validate: (config) =>
    planProblems(config as unknown as ServeBenchConfig).map((message) => ({
      path: 'bench serve',
      message,
    })),
  async run({ config }) {
    const c = config as unknown as ServeBenchConfig;
    const controller = new AbortController();
    const onSigint = (): void => controller.abort();
    process.once('SIGINT', onSigint);
    try {
      const started = Date.now();
      const { model, points } = await runServeBench(c, controller.signal);
      if (points.length > 1) process.stdout.write(`\n${sweepTable(points)}\n`);
      // The API key is a secret: never written to the report.
      const settings = Object.fromEntries(Object.entries(c).filter(([k]) => k !== 'apiKey'));
      const path = await writeBenchResult(c.out, commandLine(c), {
        settings: { ...settings, model, wallSeconds: Math.round((Date.now() - started) / 1000) },
        points,
      });
      const svgPath = `${path.replace(/\.json$/, '')}.svg`;
      const title = `bench serve — ${model}, ${c.workload}, ${c.numPrompts} requests per point`;
      await writeFile(svgPath, sweepChartSvg(title, points));
      say(`wrote ${path} and ${svgPath}`);
      return points.some((p) => p.metrics.completed > 0) ? 0 : 1;
    } finally {
      process.off('SIGINT', onSigint);
    }
  },
});
