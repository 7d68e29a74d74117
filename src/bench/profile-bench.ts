/**
 * `infernode bench profile`: GPU profiles (docs/gpu-profiles.md) for the optimizer from the
 * simulator's hardware profiles, in virtual time: for each (input, output) bucket the highest
 * Poisson rate one engine sustains within the SLO (profile-measure.ts). Writes one profile
 * file per GPU type and a bench result with how long it took.
 */
import { join } from 'node:path';
import { mkdir, writeFile } from 'node:fs/promises';
import { defineCommand, int, list, num, SeededRng, str } from '../shared/index.js';
import { GPU_PROFILE_FORMAT, validateGpuProfile, type GpuProfile } from '../optimizer/index.js';
import { HARDWARE_PROFILES } from '../sim/index.js';
import { maxRateWithinSlo, unitArrivals, type MeasureSettings } from './profile-measure.js';
import { writeBenchResult } from './results.js';

/** GPU types the simulator models, with KV blocks for an 8B bf16 model and a price per hour. */
export const SIM_GPU_TYPES: Readonly<
  Record<
    string,
    { readonly profile: string; readonly numGpuBlocks: number; readonly costPerHour: number }
  >
> = {
  // Illustrative on-demand prices ($/h per GPU); pass --cost-* for your own.
  H100: { profile: 'llama-8b-h100', numGpuBlocks: 25_000, costPerHour: 4.0 },
  A100: { profile: 'llama-8b-a100', numGpuBlocks: 25_000, costPerHour: 2.5 },
  // 48 GB: (0.9 × 48 GB − 16 GB weights) / 2 MiB per 16-token block ≈ 13,000 blocks.
  L40S: { profile: 'llama-8b-l40s', numGpuBlocks: 13_000, costPerHour: 1.2 },
};

const spec = {
  gpus: list(['H100', 'A100', 'L40S'], 'GPU types to profile'),
  model: str('meta-llama/Llama-3.1-8B-Instruct', 'model name written into the profiles'),
  inputTokens: list(['128', '512', '2048', '8192'], 'input-length bucket bounds, tokens'),
  outputTokens: list(['64', '256', '1024'], 'output-length bucket bounds, tokens'),
  ttftMs: int(2000, 'SLO: TTFT at the percentile, ms', { min: 1 }),
  tpotMs: int(60, 'SLO: time per output token at the percentile, ms', { min: 1 }),
  percentile: num(99, 'SLO percentile', { min: 1, max: 100 }),
  requests: int(100, 'fewest requests per trial', { min: 20 }),
  maxRequests: int(2000, 'most requests per trial (the seeded stream’s length)', { min: 20 }),
  durationS: int(30, 'virtual seconds of arrivals per trial', { min: 1 }),
  costH100: num(4.0, 'H100 replica cost per hour', { min: 0.01 }),
  costA100: num(2.5, 'A100 replica cost per hour', { min: 0.01 }),
  costL40s: num(1.2, 'L40S replica cost per hour', { min: 0.01 }),
  seed: int(1, 'seed of the arrival stream', { min: 0 }),
  outDir: str('deploy/examples/gpu-profiles', 'directory the profile files are written to'),
  out: str('bench/results/profile.json', 'result file'),
};

/** The `profile` bench scenario. */
export const profileBench = defineCommand({
  name: 'profile',
  summary:
    'GPU profiles for the optimizer from the simulator (virtual time): max req/s per bucket within an SLO',
  usage:
    'infernode bench profile [--gpus H100,A100,L40S] [--ttft-ms 2000] [--tpot-ms 60] [--out-dir deploy/examples/gpu-profiles]',
  envPrefix: 'BENCH_PROFILE',
  spec,
  async run({ config }) {
    const started = performance.now();
    const inputs = config.inputTokens.map(Number);
    const outputs = config.outputTokens.map(Number);
    const costs: Record<string, number> = {
      H100: config.costH100,
      A100: config.costA100,
      L40S: config.costL40s,
    };
    const unit = unitArrivals(
      Math.max(config.requests, config.maxRequests),
      new SeededRng(config.seed),
    );
    await mkdir(config.outDir, { recursive: true });
    const written: string[] = [];
    const profiles: GpuProfile[] = [];
    for (const gpu of config.gpus) {
      const type = SIM_GPU_TYPES[gpu];
      const hardware = type === undefined ? undefined : HARDWARE_PROFILES.get(type.profile);
      if (type === undefined || hardware === undefined)
        throw new Error(
          `no simulator profile for GPU type ${gpu} (known: ${Object.keys(SIM_GPU_TYPES).join(', ')})`,
        );
      const settings: MeasureSettings = {
        profile: hardware,
        numGpuBlocks: type.numGpuBlocks,
        maxNumSeqs: 256,
        maxNumBatchedTokens: 8192,
        ttftMs: config.ttftMs,
        tpotMs: config.tpotMs,
        percentile: config.percentile,
        requests: config.requests,
        durationS: config.durationS,
      };
      const maxRps = inputs.map((i) => outputs.map((o) => maxRateWithinSlo(settings, unit, i, o)));
      const profile = validateGpuProfile(
        {
          format: GPU_PROFILE_FORMAT,
          model: config.model,
          gpu,
          costPerHour: costs[gpu] ?? type.costPerHour,
          slo: { ttftMs: config.ttftMs, tpotMs: config.tpotMs, percentile: config.percentile },
          inputTokens: inputs,
          outputTokens: outputs,
          maxRps,
          source: `infernode bench profile (simulator ${hardware.name}, virtual time, ${config.durationS} s of Poisson arrivals per trial (${config.requests}–${config.maxRequests} requests), seed ${config.seed})`,
        },
        gpu,
      );
      profiles.push(profile);
      const path = join(config.outDir, `llama-8b-${gpu.toLowerCase()}.json`);
      await writeFile(path, `${JSON.stringify(profile, null, 2)}\n`);
      written.push(path);
    }
    const cpuSeconds = Math.round(performance.now() - started) / 1000;
    const command = `infernode bench profile --gpus ${config.gpus.join(',')} --ttft-ms ${config.ttftMs} --tpot-ms ${config.tpotMs} --percentile ${config.percentile} --requests ${config.requests} --max-requests ${config.maxRequests} --duration-s ${config.durationS} --seed ${config.seed} --out-dir ${config.outDir}`;
    const path = await writeBenchResult(config.out, command, { profiles, written, cpuSeconds });
    for (const p of profiles)
      process.stdout.write(
        `${p.gpu} $${p.costPerHour}/h max req/s [input × output]: ${JSON.stringify(p.maxRps)}\n`,
      );
    process.stdout.write(`wrote ${written.join(', ')} and ${path}\n`);
    return 0;
  },
});
