/**
 * `infernode bench routing`: routing quality on a Mooncake-format trace. For each strategy a
 * fresh local cluster of simulated engines (cold KV caches) is started and the trace replayed
 * through the gateway open-loop with the `routing-strategy` header; TTFT, TPOT, E2E (trace time),
 * throughput, prefix-cache hit ratios and the per-engine distribution are written as JSON with
 * a TTFT chart (.svg, same basename) and printed as a table.
 * Needs a build: `npx tsc -p tsconfig.build.json && node dist/cli/main.js bench routing …`.
 */
import os from 'node:os';
import { writeFile } from 'node:fs/promises';
import { defineCommand, type Command } from '../shared/index.js';
import { parseStrategy } from '../routing/index.js';
import { int, num, str } from '../shared/index.js';
import { writeBenchResult } from './results.js';
import { startRoutingCluster } from './routing-cluster.js';
import { replayOnCluster, traceWindowSummary } from './routing-run.js';
import type { StrategyResult } from './routing-stats.js';
import { ttftChartSvg } from './routing-svg.js';
import { acceptance, resultTable } from './routing-table.js';
import { readTrace, traceWindow } from './routing-trace.js';

/**
 * KV blocks per engine: Llama-3.1-8B bf16 on an 80 GB H100 at gpu-memory-utilization 0.9 —
 * (72 GB − 16.06 GB weights) / (128 KiB per token × 16 tokens) ≈ 26,700 blocks (≈ 427k tokens).
 */
export const H100_8B_GPU_BLOCKS = 26_700;

const spec = {
  trace: str('/work/shared/traces/mooncake-conversation.jsonl', 'Mooncake-format trace (JSONL)'),
  strategies: str('random,least-request,prefix-cache,auto', 'strategies to compare, in order'),
  duration: num(0, 'seconds of the trace replayed from its start (0 = all)', { min: 0 }),
  speed: num(1, 'time dilation: arrivals and simulated engines x times faster', { min: 0.01 }),
  rateScale: num(1, 'multiplies the arrival rate (divides inter-arrival times)', { min: 0.01 }),
  engines: int(4, 'simulated engines (spread over two nodes)', { min: 1, max: 64 }),
  profile: str('llama-8b-h100', 'simulator hardware profile'),
  numGpuBlocks: int(H100_8B_GPU_BLOCKS, 'KV blocks of 16 tokens per engine', { min: 1 }),
  maxModelLen: int(131_072, 'engines’ --max-model-len, tokens', { min: 1 }),
  maxNumSeqs: int(256, 'engines’ --max-num-seqs', { min: 1 }),
  requestTimeout: num(1800, 'per-request limit in trace seconds', { min: 1 }),
  model: str('meta-llama/Llama-3.1-8B-Instruct', 'served model name'),
  out: str('bench/results/routing.json', 'result JSON (the chart goes next to it, .svg)'),
};

interface RoutingBenchConfig {
  readonly trace: string;
  readonly strategies: string;
  readonly duration: number;
  readonly speed: number;
  readonly rateScale: number;
  readonly engines: number;
  readonly profile: string;
  readonly numGpuBlocks: number;
  readonly maxModelLen: number;
  readonly maxNumSeqs: number;
  readonly requestTimeout: number;
  readonly model: string;
  readonly out: string;
}

const say = (line: string): void => void process.stderr.write(`${line}\n`);

async function runStrategy(c: RoutingBenchConfig, strategy: string): Promise<StrategyResult> {
  const rc = await startRoutingCluster({
    engines: c.engines,
    model: c.model,
    profile: c.profile,
    speed: c.speed,
    numGpuBlocks: c.numGpuBlocks,
    maxModelLen: c.maxModelLen,
    maxNumSeqs: c.maxNumSeqs,
  });
  let ok = false;
  try {
    const { result } = await replayOnCluster(rc, c, strategy, strategy, say);
    ok = true;
    return result;
  } finally {
    await rc.stop(!ok);
  }
}

function commandLine(c: RoutingBenchConfig): string {
  return [
    'node dist/cli/main.js bench routing',
    `--trace ${c.trace}`,
    `--strategies ${c.strategies}`,
    `--duration ${c.duration}`,
    `--speed ${c.speed}`,
    `--rate-scale ${c.rateScale}`,
    `--engines ${c.engines}`,
    `--profile ${c.profile}`,
    `--num-gpu-blocks ${c.numGpuBlocks}`,
    `--out ${c.out}`,
  ].join(' ');
}

/** The `routing` bench scenario. */
export const routingBench: Command = defineCommand({
  name: 'routing',
  summary: 'routing quality: replay a Mooncake trace through the gateway once per strategy',
  usage:
    'infernode bench routing --trace <file> --strategies <list> [--duration <s>] [--speed <x>] [--rate-scale <x>] [--engines <n>] [--profile <name>] --out <file.json>',
  envPrefix: 'BENCH_ROUTING',
  spec,
  async run({ config }) {
    const c = config as unknown as RoutingBenchConfig;
    const strategies = c.strategies
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== '');
    for (const s of strategies) {
      const parsed = parseStrategy(s);
      if (!parsed.ok) throw new Error(parsed.message);
    }
    const window = traceWindow(readTrace(c.trace), c.duration);
    const started = Date.now();
    const results: StrategyResult[] = [];
    for (const s of strategies) results.push(await runStrategy(c, s));
    const verdict = acceptance(results);
    const result = {
      settings: {
        trace: c.trace,
        ...traceWindowSummary(window),
        durationS: c.duration,
        speed: c.speed,
        rateScale: c.rateScale,
        engines: c.engines,
        profile: c.profile,
        numGpuBlocks: c.numGpuBlocks,
        maxModelLen: c.maxModelLen,
        maxNumSeqs: c.maxNumSeqs,
        requestTimeoutTraceS: c.requestTimeout,
        timeUnits: 'latencies and tokens/s in trace time (wall × speed)',
        wallSeconds: Math.round((Date.now() - started) / 1000),
        loadAverage1m: Number((os.loadavg()[0] ?? 0).toFixed(2)),
      },
      strategies: results,
      acceptance: verdict,
    };
    const path = await writeBenchResult(c.out, commandLine(c), result);
    const svgPath = path.replace(/\.json$/, '') + '.svg';
    const title = `TTFT by routing strategy — ${window.length} Mooncake requests, ×${c.rateScale} rate, ${c.engines} × ${c.profile}`;
    await writeFile(
      svgPath,
      ttftChartSvg(
        title,
        results.map((r) => ({ strategy: r.strategy, ...r.ttftMs })),
      ),
    );
    process.stdout.write(`${resultTable(results)}\n${JSON.stringify(verdict, null, 2)}\n`);
    process.stdout.write(`wrote ${path} and ${svgPath}\n`);
    return 0;
  },
});
