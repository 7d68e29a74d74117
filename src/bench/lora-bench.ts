/**
 * `infernode bench lora` (issue #13): the density gain of multi-LoRA serving. One seeded Zipf
 * stream over 64 adapters, at a low and a high request rate, replayed in virtual time on (a) 4
 * simulated engines with `max_loras` 8, adapters placed by leastAdapters and requests routed by
 * `lora-affinity`, and (b) one engine per adapter: GPU-seconds per 1,000 requests (provisioned
 * and busy) and p50/p99 time to first token, against AIBrix's 4.7× (low traffic) / 1.5× (high).
 * Virtual time: the simulator's EngineCore in this process, so 64 engines fit a 2-core machine
 * and both arms see the same requests. `--quick` shortens the window (the e2e test's size).
 */
import { bool, defineCommand, int, num, SeededRng, str } from '../shared/index.js';
import { writeApplyResult } from './lora-apply-result.js';
import { HARDWARE_PROFILES, DEFAULT_PROFILE } from '../sim/index.js';
import { runDensityLevel, type DensityLevel, type DensitySetup } from './lora-density.js';
import type { FleetSettings } from './lora-fleet.js';
import { generateLoraTraffic, type LoraTrafficSpec } from './lora-traffic.js';
import { writeBenchResult } from './results.js';

/** AIBrix v0.1.0's published density gains (reference/perf.md §6, aibrix.md §12). */
export const AIBRIX_DENSITY_GAIN = { lowTraffic: 4.7, highTraffic: 1.5 } as const;

/** Request lengths, tokens (inclusive ranges): chat-sized prompts and answers. */
export const LORA_BENCH_PROMPT_TOKENS: readonly [number, number] = [128, 1024];
export const LORA_BENCH_OUTPUT_TOKENS: readonly [number, number] = [32, 256];

const spec = {
  quick: bool(false, 'short window (20 s of arrivals) for tests and a first look'),
  adapters: int(64, 'adapters', { min: 2, max: 1024 }),
  engines: int(4, 'engines of the dense arm', { min: 1, max: 256 }),
  maxLoras: int(8, 'max_loras (adapters in one batch) of each dense engine', { min: 1 }),
  zipf: num(1.0, 'Zipf exponent s of adapter popularity', { min: 0 }),
  lowRps: num(2, 'low traffic, requests/s over the whole fleet', { min: 0.001 }),
  highRps: num(48, 'high traffic, requests/s over the whole fleet', { min: 0.001 }),
  durationS: int(300, 'seconds of arrivals per traffic level (virtual time)', { min: 1 }),
  ttftSloMs: int(500, 'p99 TTFT the sized dense fleet must meet, ms', { min: 1 }),
  seed: int(1, 'seed of the request stream and of routing tie-breaks', { min: 0 }),
  out: str('bench/results/lora.json', 'result file'),
  mode: str(
    'density',
    'density (virtual-time cost) or apply (cluster-file apply → first routed request)',
  ),
  applies: int(10, 'apply mode: distinct adapters applied one after the other', {
    min: 1,
    max: 200,
  }),
  pollMs: int(20, 'apply mode: status and gateway poll period, ms', { min: 1 }),
};

/** Arrival window of --quick, virtual seconds. */
const QUICK_DURATION_S = 20;

/** The `lora` bench scenario. */
export const loraBench = defineCommand({
  name: 'lora',
  summary:
    'multi-LoRA density: 64 Zipf adapters on 4 engines (max_loras 8) vs one engine each, GPU-seconds and TTFT',
  usage:
    'infernode bench lora [--mode density|apply] [--applies 10] [--poll-ms 20] [--quick] [--adapters 64] [--engines 4] [--max-loras 8] [--zipf 1] [--low-rps 2] [--high-rps 48] [--duration-s 300]',
  envPrefix: 'BENCH_LORA',
  spec,
  run({ config }) {
    if (config.mode === 'apply') return writeApplyResult(config);
    if (config.mode !== 'density')
      throw new Error(`--mode must be density or apply, not ${config.mode}`);
    const durationS = config.quick ? QUICK_DURATION_S : config.durationS;
    const profile = HARDWARE_PROFILES.get(DEFAULT_PROFILE);
    if (profile === undefined) throw new Error(`no profile ${DEFAULT_PROFILE}`);
    // The simulator's defaults (SIM_DEFAULTS), with a waiting queue big enough that nothing is
    // refused: an overloaded arm shows up as TTFT, not as lost requests.
    const fleet: FleetSettings = {
      profile,
      maxNumSeqs: 256,
      maxNumBatchedTokens: 8192,
      numGpuBlocks: 25_000,
      blockSizeTokens: 16,
      maxWaitingRequests: 1_000_000,
    };
    const adapters = Array.from(
      { length: config.adapters },
      (_, i) => `adapter-${String(i).padStart(3, '0')}`,
    );
    const setup: DensitySetup = {
      adapters,
      denseEngines: config.engines,
      maxLoras: config.maxLoras,
      fleet,
      seed: config.seed,
      ttftSloMs: config.ttftSloMs,
    };
    const level = (requestsPerS: number): { requestsPerS: number } & DensityLevel => {
      const traffic: LoraTrafficSpec = {
        adapters,
        zipfS: config.zipf,
        requestsPerS,
        durationS,
        promptTokens: LORA_BENCH_PROMPT_TOKENS,
        outputTokens: LORA_BENCH_OUTPUT_TOKENS,
      };
      const stream = generateLoraTraffic(traffic, new SeededRng(config.seed));
      return { requestsPerS, ...runDensityLevel(stream, setup) };
    };
    const started = performance.now();
    const low = level(config.lowRps);
    const high = level(config.highRps);
    const result = {
      setup: {
        adapters: config.adapters,
        denseEngines: config.engines,
        maxLoras: config.maxLoras,
        dedicatedEngines: config.adapters,
        zipfS: config.zipf,
        arrivalsSeconds: durationS,
        promptTokens: LORA_BENCH_PROMPT_TOKENS,
        outputTokens: LORA_BENCH_OUTPUT_TOKENS,
        profile: profile.name,
        placement: 'leastAdapters (static, before the stream)',
        routing: 'lora-affinity through pick()',
        ttftSloMs: config.ttftSloMs,
        seed: config.seed,
      },
      density: { low, high },
      aibrix: AIBRIX_DENSITY_GAIN,
      cpuSeconds: Math.round(performance.now() - started) / 1000,
      note: 'virtual time: the simulator EngineCore (same scheduler and step-time model as infernode sim) in one process; Poisson arrivals, no shared prefixes; adapters loaded before the stream (load time not counted); provisioned = engines × (first arrival → last finish), busy = Σ engine stepping time',
    };
    const flags = `${config.quick ? '--quick ' : ''}--adapters ${config.adapters} --engines ${config.engines} --max-loras ${config.maxLoras} --zipf ${config.zipf} --low-rps ${config.lowRps} --high-rps ${config.highRps} --ttft-slo-ms ${config.ttftSloMs}${config.quick ? '' : ` --duration-s ${durationS}`} --seed ${config.seed}`;
    return writeBenchResult(config.out, `infernode bench lora ${flags}`, result).then((path) => {
      process.stdout.write(`${report(low, high)}\nwrote ${path}\n`);
      return 0;
    });
  },
});

function report(
  low: { requestsPerS: number } & DensityLevel,
  high: { requestsPerS: number } & DensityLevel,
): string {
  const line = (name: string, l: { requestsPerS: number } & DensityLevel): string =>
    [
      `${name} traffic (${l.requestsPerS} req/s):`,
      `  dense     ${l.dense.engines} engines: ${l.dense.provisionedGpuSecondsPer1000} provisioned / ${l.dense.busyGpuSecondsPer1000} busy GPU-s per 1k req, TTFT p50 ${l.dense.ttftP50Ms} ms p99 ${l.dense.ttftP99Ms} ms`,
      `  dedicated ${l.dedicated.engines} engines: ${l.dedicated.provisionedGpuSecondsPer1000} provisioned / ${l.dedicated.busyGpuSecondsPer1000} busy GPU-s per 1k req, TTFT p50 ${l.dedicated.ttftP50Ms} ms p99 ${l.dedicated.ttftP99Ms} ms`,
      `  gain ${l.provisionedGain}× provisioned, ${l.busyGain}× busy`,
      `  dense sized to p99 TTFT ≤ SLO: ${l.sizedDense.cost.engines} engines${l.sizedDense.metSlo ? '' : ' (SLO MISSED)'}, p99 ${l.sizedDense.cost.ttftP99Ms} ms, gain ${l.sizedDense.provisionedGain}× provisioned, ${l.sizedDense.busyGain}× busy`,
    ].join('\n');
  return [
    line('low', low),
    line('high', high),
    `AIBrix reports ${AIBRIX_DENSITY_GAIN.lowTraffic}× (low) / ${AIBRIX_DENSITY_GAIN.highTraffic}× (high)`,
  ].join('\n');
}
