/**
 * `infernode bench sim`: (1) decode step time of one simulator at speed 1 with the H100
 * profile, at batch 1 / short context and at batch 64 / 2k context, against the analytic
 * reference figures of reference/perf.md §9 (≈7.7 ms and ≈18 ms, 20% tolerance); (2) streamed
 * output tokens/s of one simulator process at a high speed factor with many concurrent
 * streaming clients in this (separate) process, against the 10,000 tokens/s target. The
 * throughput phase runs twice: at a very high speed factor, where many engine steps fall in
 * one loop tick and each socket write carries many SSE chunks, and at a paced speed factor
 * where a tick is about one decode step, so nearly every token is its own write.
 * Needs a build: `npm run build && node dist/cli/main.js bench sim`.
 */
import { defineCommand, type Command } from '../shared/index.js';
import { int, num, str } from '../shared/index.js';
import { writeBenchResult } from './results.js';
import { meanGapMs, startSimChild, streamCompletion, streamLoad } from './sim-load.js';

/** Reference decode step times (perf.md §9 worked example), ms, and the tolerance (ratio). */
export const SIM_STEP_REFERENCE = { batch1Ms: 7.7, batch64Ctx2kMs: 18, tolerance: 0.2 } as const;
/** Target streamed output tokens per second of one simulator process. */
export const SIM_TOKENS_PER_S_TARGET = 10_000;

const spec = {
  clients: int(128, 'concurrent streaming clients in the throughput phase', { min: 1 }),
  durationMs: int(5000, 'length of the throughput phase, ms', { min: 500 }),
  speed: num(100_000, 'speed factor of the high-speed throughput phase', { min: 1 }),
  pacedSpeed: num(10, 'speed factor of the paced throughput phase', { min: 0.001 }),
  maxTokens: int(256, 'max_tokens of each throughput request', { min: 1 }),
  out: str('bench/results/sim.json', 'where to write the result JSON'),
};

interface SimBenchConfig {
  readonly clients: number;
  readonly durationMs: number;
  readonly speed: number;
  readonly pacedSpeed: number;
  readonly maxTokens: number;
  readonly out: string;
}

/** Text of about `tokens` stand-in tokens (4 bytes each), unique per `salt` from the first block. */
function promptOf(tokens: number, salt: number): string {
  const head = `req-${salt}-`.padEnd(64, '.');
  return head + 'abcd'.repeat(Math.max(0, tokens - 16));
}

async function measureStepTimes(): Promise<Record<string, unknown>> {
  const sim = await startSimChild(['--speed', '1', '--profile', 'llama-8b-h100']);
  try {
    const single = await streamCompletion(sim.url, { prompt: promptOf(32, 0), max_tokens: 120 });
    const batch1Ms = meanGapMs([single], 20, 120);
    const traces = await Promise.all(
      Array.from({ length: 64 }, (_, i) =>
        streamCompletion(sim.url, { prompt: promptOf(2048, i + 1), max_tokens: 80 }),
      ),
    );
    // Tokens 30–80: every stream has finished its prefill and all 64 decode together.
    const batch64Ms = meanGapMs(traces, 30, 80);
    const ref = SIM_STEP_REFERENCE;
    const within = (measured: number, expected: number): boolean =>
      Math.abs(measured / expected - 1) <= ref.tolerance;
    return {
      batch1ShortContext: {
        measuredMs: round(batch1Ms),
        referenceMs: ref.batch1Ms,
        ratio: round(batch1Ms / ref.batch1Ms),
        withinTolerance: within(batch1Ms, ref.batch1Ms),
      },
      batch64Context2k: {
        measuredMs: round(batch64Ms),
        referenceMs: ref.batch64Ctx2kMs,
        ratio: round(batch64Ms / ref.batch64Ctx2kMs),
        withinTolerance: within(batch64Ms, ref.batch64Ctx2kMs),
      },
      tolerance: ref.tolerance,
    };
  } finally {
    await sim.stop();
  }
}

async function measureThroughput(
  c: SimBenchConfig,
  speed: number,
): Promise<Record<string, unknown>> {
  const sim = await startSimChild(['--speed', String(speed), '--max-num-seqs', '1024']);
  try {
    await streamLoad(sim.url, 8, 500, 32); // warm-up (JIT, sockets)
    const load = await streamLoad(sim.url, c.clients, c.durationMs, c.maxTokens);
    const tokensPerS = load.tokens / load.seconds;
    return {
      clients: c.clients,
      speed,
      maxTokens: c.maxTokens,
      seconds: round(load.seconds),
      requests: load.requests,
      tokens: load.tokens,
      tokensPerS: Math.round(tokensPerS),
      targetTokensPerS: SIM_TOKENS_PER_S_TARGET,
      ratioToTarget: round(tokensPerS / SIM_TOKENS_PER_S_TARGET),
      meetsTarget: tokensPerS >= SIM_TOKENS_PER_S_TARGET,
    };
  } finally {
    await sim.stop();
  }
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

/** The `sim` bench scenario. */
export const simBenchCommand: Command = defineCommand({
  name: 'sim',
  summary: 'simulator fidelity (decode step times vs perf.md §9) and streamed tokens/s',
  usage:
    'infernode bench sim [--clients <n>] [--duration-ms <ms>] [--speed <x>] [--paced-speed <x>]',
  envPrefix: 'BENCH_SIM',
  spec,
  async run({ config }) {
    const c = config as unknown as SimBenchConfig;
    const stepTimes = await measureStepTimes();
    const throughput = await measureThroughput(c, c.speed);
    const pacedThroughput = await measureThroughput(c, c.pacedSpeed);
    const result = { stepTimes, throughput, pacedThroughput };
    const command = `node dist/cli/main.js bench sim --clients ${c.clients} --duration-ms ${c.durationMs} --speed ${c.speed} --paced-speed ${c.pacedSpeed}`;
    const path = await writeBenchResult(c.out, command, result);
    process.stdout.write(`${JSON.stringify(result, null, 2)}\nwrote ${path}\n`);
    return 0;
  },
});
