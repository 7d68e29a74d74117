/**
 * `infernode bench optimizer` (issue #16): the GPU optimizer on a mixed workload (short chat +
 * long-context summarization, seeded), with the committed simulator profiles: cost per hour of
 * the ILP's H100/A100/L40S mix vs the cheapest single GPU type that serves every slice within
 * the same SLO (both priced from the profiles), and the solver's time on 3 GPU types × 50
 * slices (goal < 1 s).
 */
import { bool, defineCommand, int, num, SeededRng, str, type Rng } from '../shared/index.js';
import {
  clusterLoad,
  profileMaxRps,
  solveAllocation,
  type Allocation,
  type GpuProfile,
  type LengthPoint,
  type ReplicaOption,
  type WorkloadSlice,
} from '../optimizer/index.js';
import { loadGpuProfiles, loadHighsSolver } from '../optimizer/adapters/index.js';
import { median } from './latency-stats.js';
import { writeBenchResult } from './results.js';

/** Multiples of the base load the comparison runs at. */
export const LOAD_SCALES: readonly number[] = [0.1, 0.5, 1, 2, 5];

const spec = {
  profilesDir: str(
    'deploy/examples/gpu-profiles',
    'GPU profiles (infernode bench profile writes them)',
  ),
  chatRps: num(30, 'short chat requests/s (input 64–512, output 32–256 tokens)', { min: 0 }),
  summaryRps: num(1.5, 'long-context summarization requests/s (input 2–8k, output 64–256 tokens)', {
    min: 0,
  }),
  windowS: int(240, 'seconds of load the optimizer clusters', { min: 1 }),
  slices: int(50, 'slices of the solver-time problem', { min: 1 }),
  timeBudgetMs: int(5000, 'ILP time budget, ms', { min: 1 }),
  seed: int(1, 'seed of the workload', { min: 0 }),
  quick: bool(false, 'one solver-time repetition instead of five'),
  out: str('bench/results/optimizer.json', 'result file'),
};

const uniform = (rng: Rng, lo: number, hi: number): number =>
  Math.round(lo + rng.next() * (hi - lo));
/** Log-uniform: chat lengths spread over octaves, as real traffic does. */
const logUniform = (rng: Rng, lo: number, hi: number): number =>
  Math.round(Math.exp(Math.log(lo) + rng.next() * (Math.log(hi) - Math.log(lo))));

function mixedWorkload(
  config: { chatRps: number; summaryRps: number; windowS: number },
  rng: Rng,
): LengthPoint[] {
  const points: LengthPoint[] = [];
  for (let i = 0; i < Math.round(config.chatRps * config.windowS); i++)
    points.push({ inputTokens: logUniform(rng, 64, 512), outputTokens: logUniform(rng, 32, 256) });
  for (let i = 0; i < Math.round(config.summaryRps * config.windowS); i++)
    points.push({ inputTokens: uniform(rng, 2048, 8192), outputTokens: uniform(rng, 64, 256) });
  return points;
}

const optionOf = (p: GpuProfile): ReplicaOption => ({
  id: p.gpu,
  gpu: p.gpu,
  costPerHour: p.costPerHour,
  minReplicas: 0,
  maxRps: (s) => profileMaxRps(p, s.inputTokens, s.outputTokens),
});

/** The `optimizer` bench scenario. */
export const optimizerBench = defineCommand({
  name: 'optimizer',
  summary:
    'GPU optimizer: ILP H100/A100/L40S mix vs the best single GPU type on chat + summarization; solver time',
  usage:
    'infernode bench optimizer [--chat-rps 30] [--summary-rps 1.5] [--profiles-dir deploy/examples/gpu-profiles]',
  envPrefix: 'BENCH_OPTIMIZER',
  spec,
  async run({ config }) {
    const loaded = await loadGpuProfiles(config.profilesDir, 10_000);
    if (loaded.problems.length > 0) throw loaded.problems[0] as Error;
    const profiles = loaded.profiles;
    const solver = await loadHighsSolver();
    const timeBudgetS = config.timeBudgetMs / 1000;
    const options = profiles.map(optionOf);
    const summary = (a: Allocation) => ({
      method: a.method,
      costPerHour: Math.round(a.costPerHour * 100) / 100,
      replicas: a.replicas,
      unservable: a.unservable.map((u) => u.sliceId),
    });
    // The same mix at several scales: integer replicas make the answer depend on the load.
    const levels = [];
    for (const scale of LOAD_SCALES) {
      const workload = {
        ...config,
        chatRps: config.chatRps * scale,
        summaryRps: config.summaryRps * scale,
      };
      const slices = clusterLoad(
        mixedWorkload(workload, new SeededRng(config.seed)),
        config.windowS,
      );
      const mix = await solveAllocation({ slices, options, timeBudgetS }, solver);
      const singles = [];
      for (const o of options) {
        const a = await solveAllocation({ slices, options: [o], timeBudgetS }, solver);
        singles.push({ gpu: o.gpu, meetsSlo: a.unservable.length === 0, ...summary(a) });
      }
      const best = singles
        .filter((x) => x.meetsSlo)
        .sort((a, b) => a.costPerHour - b.costPerHour)[0];
      levels.push({
        scale,
        chatRps: Math.round(workload.chatRps * 1000) / 1000,
        summaryRps: Math.round(workload.summaryRps * 1000) / 1000,
        slices: slices.map((x) => ({ ...x, rps: Math.round(x.rps * 1000) / 1000 })),
        mix: { ...summary(mix), assignments: mix.assignments },
        singles,
        bestSingle: best === undefined ? null : { gpu: best.gpu, costPerHour: best.costPerHour },
        savingVsBestSingle:
          best === undefined
            ? null
            : Math.round((1 - mix.costPerHour / best.costPerHour) * 1000) / 1000,
      });
    }
    // Solver time: 50 slices spread over the profiles' range, all three GPU types.
    const rng = new SeededRng(config.seed + 1);
    const big: WorkloadSlice[] = Array.from({ length: config.slices }, (_, i) => ({
      id: `s${i}`,
      inputTokens: logUniform(rng, 64, 8192),
      outputTokens: logUniform(rng, 32, 1024),
      rps: 0.05 + rng.next() * 5,
      requests: 1,
    }));
    const times: number[] = [];
    let timed: Allocation | undefined;
    for (let k = 0; k < (config.quick ? 1 : 5); k++) {
      const t = performance.now();
      timed = await solveAllocation({ slices: big, options, timeBudgetS }, solver);
      times.push(performance.now() - t);
    }
    const result = {
      workload: {
        chatRps: config.chatRps,
        summaryRps: config.summaryRps,
        windowS: config.windowS,
        clustering: 'fixed log2 bucketing (one cell per power of two of input and output tokens)',
      },
      profiles: profiles.map((p) => ({ gpu: p.gpu, costPerHour: p.costPerHour, slo: p.slo })),
      levels,
      solverTime: {
        gpuTypes: options.length,
        slices: big.length,
        method: timed?.method,
        medianMs: Math.round(median(times) * 10) / 10,
        runsMs: times.map((t) => Math.round(t * 10) / 10),
        goalMs: 1000,
      },
      note: 'costs and rates from the profiles (simulator roofline, illustrative $/h); the mix may split a slice across GPU types; a single type is feasible only if it meets the SLO for every slice',
    };
    const command = `infernode bench optimizer --chat-rps ${config.chatRps} --summary-rps ${config.summaryRps} --window-s ${config.windowS} --slices ${config.slices} --seed ${config.seed} --profiles-dir ${config.profilesDir}`;
    const path = await writeBenchResult(config.out, command, result);
    process.stdout.write(
      [
        ...levels.map(
          (l) =>
            `×${l.scale} (${l.chatRps} chat + ${l.summaryRps} summary req/s): mix $${l.mix.costPerHour}/h ${JSON.stringify(l.mix.replicas)}; ` +
            l.singles
              .map((x) => `${x.gpu} ${x.meetsSlo ? `$${x.costPerHour}` : 'misses SLO'}`)
              .join(', ') +
            `; saving vs best single ${l.savingVsBestSingle === null ? 'n/a' : `${Math.round(l.savingVsBestSingle * 1000) / 10}%`}`,
        ),
        `solver: ${options.length} GPU types × ${big.length} slices, median ${result.solverTime.medianMs} ms (${timed?.method})`,
        `wrote ${path}`,
      ].join('\n') + '\n',
    );
    return 0;
  },
});
