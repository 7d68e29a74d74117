/**
 * `infernode bench autoscaling`: replays AIBrix's traffic patterns (and an up-and-down one)
 * through HPA, KPA, APA and the SLO mode — the real `decideScale` — on simulated engines in
 * virtual time (the simulator's EngineCore, least-request routing, a cold start of pod start +
 * engine init + weight load from the hardware profile). Same workloads, same seed, every strategy,
 * one run. Writes the JSON result, a replicas-over-time chart (.svg next to it) and a table.
 * `--pattern NAME --write-trace FILE` only writes that workload's Mooncake-style JSONL.
 */
import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import { decideScale, TimeBucketWindow } from '../autoscaling/index.js';
import { HARDWARE_PROFILES } from '../sim/index.js';
import { defineCommand, type Command } from '../shared/index.js';
import {
  AUTOSCALING_BENCH_SPEC,
  autoscalingSettings,
  benchCommandLine,
  tunablesOf,
} from './autoscaling-settings.js';
import {
  goalChecks,
  resultTable,
  strategyFigures,
  strategyTotals,
  withHpaRatios,
  type StrategyFigures,
} from './autoscaling-report.js';
import {
  runStrategy,
  SCALING_METRICS,
  type ScalingMetric,
  type ScalingStrategy,
} from './autoscaling-run.js';
import { PREFETCH_SUFFIX, prefetchColdStartS, prefetchEffects } from './autoscaling-prefetch.js';
import { scalingChartSvg, type ScalingPanel } from './autoscaling-svg.js';
import {
  arrivalsPerSecond,
  generateWorkload,
  loadStepTimesS,
  parsePattern,
  workloadToJsonl,
  type WorkloadPattern,
} from './autoscaling-workload.js';
import { writeBenchResult } from './results.js';

const STRATEGIES: readonly ScalingStrategy[] = ['HPA', 'KPA', 'APA', 'SLO'];

const say = (line: string): void => void process.stderr.write(`${line}\n`);

function parseList<T extends string>(
  text: string,
  parse: (s: string) => T | undefined,
  what: string,
): T[] {
  const out: T[] = [];
  for (const raw of text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '')) {
    const v = parse(raw);
    if (v === undefined) throw new Error(`unknown ${what} "${raw}"`);
    out.push(v);
  }
  if (out.length === 0) throw new Error(`no ${what} given`);
  return out;
}

/** The `autoscaling` bench scenario. */
export const autoscalingBench: Command = defineCommand({
  name: 'autoscaling',
  summary:
    'HPA vs KPA vs APA vs SLO on AIBrix’s traffic patterns, simulated engines in virtual time',
  usage:
    'infernode bench autoscaling [--pattern <list>] [--strategies HPA,KPA,APA,SLO] [--quick] [--out <file.json>] | --pattern <name> --write-trace <file.jsonl>',
  envPrefix: 'BENCH_AUTOSCALING',
  spec: AUTOSCALING_BENCH_SPEC,
  async run({ config }) {
    const c = autoscalingSettings(config);
    const patterns = parseList<WorkloadPattern>(c.pattern, parsePattern, 'pattern');
    const workloadOf = (pattern: WorkloadPattern) =>
      generateWorkload({
        pattern,
        durationS: c.duration,
        meanRps: c.meanRps,
        inputMedian: c.inputMedian,
        outputMedian: c.outputMedian,
        seed: c.seed,
      });
    if (c.writeTrace !== '') {
      if (patterns.length !== 1) throw new Error('--write-trace needs exactly one --pattern');
      const entries = workloadOf(patterns[0] as WorkloadPattern);
      await writeFile(c.writeTrace, workloadToJsonl(entries));
      process.stdout.write(`wrote ${entries.length} requests to ${c.writeTrace}\n`);
      return 0;
    }
    const strategies = parseList<ScalingStrategy>(
      c.strategies,
      (s) => STRATEGIES.find((x) => x === s.toUpperCase()),
      'strategy',
    );
    if (!(SCALING_METRICS as readonly string[]).includes(c.metric))
      throw new Error(`unknown metric "${c.metric}"; valid: ${SCALING_METRICS.join(', ')}`);
    const profile = HARDWARE_PROFILES.get(c.profile);
    if (profile === undefined) throw new Error(`unknown profile "${c.profile}"`);
    const weightLoadS = profile.weightBytes / (c.weightLoadGibps * 1024 ** 3);
    const coldStartS = c.podStartS + c.engineInitS + weightLoadS;
    const prefetchedColdStartS = prefetchColdStartS({
      podStartS: c.podStartS,
      engineInitS: c.engineInitS,
      weightBytes: profile.weightBytes,
      remoteGibps: c.weightLoadGibps,
      nodeCacheGibps: c.nodeCacheGibps,
    });
    const variants = strategies.flatMap((strategy) => [
      { strategy, name: strategy, coldS: coldStartS },
      ...(c.prefetch
        ? [{ strategy, name: `${strategy}${PREFETCH_SUFFIX}`, coldS: prefetchedColdStartS }]
        : []),
    ]);
    const tunables = tunablesOf(c);
    const started = Date.now();
    const workloads: {
      pattern: WorkloadPattern;
      requests: number;
      loadStepsS: number[];
      strategies: StrategyFigures[];
    }[] = [];
    const panels: ScalingPanel[] = [];
    for (const pattern of patterns) {
      const workload = workloadOf(pattern);
      const loadStepsS = loadStepTimesS(pattern, c.duration);
      const list = variants.map(({ strategy, name, coldS }) => {
        const t0 = Date.now();
        const trace = runStrategy({
          strategy,
          workload,
          durationS: c.duration,
          decide: decideScale,
          newWindow: () => new TimeBucketWindow({ maxWindowMs: tunables.stableWindowMs }),
          tunables,
          minReplicas: c.minReplicas,
          maxReplicas: c.maxReplicas,
          metric: c.metric as ScalingMetric,
          target: c.target,
          cluster: {
            profile,
            core: {
              maxNumSeqs: c.maxNumSeqs,
              maxNumBatchedTokens: 8192,
              numGpuBlocks: c.numGpuBlocks,
              blockSizeTokens: 16,
              maxLoras: 1,
              maxWaitingRequests: 4096,
            },
            coldStartS: coldS,
          },
          seed: c.seed,
          tickS: 1,
          drainLimitS: 600,
        });
        const f = {
          ...strategyFigures(trace, c.duration, loadStepsS, c.sloTtftMs / 1000),
          strategy: name,
        };
        say(
          `${pattern} ${name}: ${f.scaleEvents} scale events, ${f.oscillations} oscillations, p99 TTFT ${f.ttft.p99Ms} ms, ${f.replicaSeconds} replica-s (${Date.now() - t0} ms wall)`,
        );
        return f;
      });
      const figures = withHpaRatios(list);
      workloads.push({ pattern, requests: workload.length, loadStepsS, strategies: figures });
      const perSecond = arrivalsPerSecond(workload, c.duration);
      const binS = 10;
      const load: number[] = [];
      for (let i = 0; i < perSecond.length; i += binS)
        load.push(perSecond.slice(i, i + binS).reduce((a, b) => a + b, 0) / binS);
      panels.push({
        title: `${pattern} — ${workload.length} requests, mean ${c.meanRps} rps`,
        durationS: c.duration,
        load,
        loadBinS: binS,
        series: figures.map((f) => ({ strategy: f.strategy, points: f.replicas })),
      });
    }
    const totals = strategyTotals(workloads.map((w) => w.strategies));
    const goal = goalChecks(totals);
    const result = {
      settings: {
        ...c,
        coldStartS: Number(coldStartS.toFixed(2)),
        prefetchedColdStartS: Number(prefetchedColdStartS.toFixed(2)),
        weightLoadS: Number(weightLoadS.toFixed(2)),
        tunables,
        decisionPeriodS: 1,
        routing: 'least-request',
        timeUnits: 'virtual (simulated) seconds; wall time only in wallSeconds',
        wallSeconds: Math.round((Date.now() - started) / 1000),
        loadAverage1m: Number((os.loadavg()[0] ?? 0).toFixed(2)),
      },
      workloads,
      totals,
      prefetch: prefetchEffects(totals),
      goal: {
        statement:
          'vs HPA in the same run: ≤ 50% of its oscillations, fewer replica-seconds, p99 TTFT no higher on every workload',
        perStrategy: goal,
        metBy: goal.filter((g) => g.met).map((g) => g.strategy),
      },
    };
    const path = await writeBenchResult(c.out, benchCommandLine(c), result);
    const svgPath = path.replace(/\.json$/, '') + '.svg';
    await writeFile(
      svgPath,
      scalingChartSvg(
        `Replicas over time by strategy — ${c.profile}, cold start ${coldStartS.toFixed(0)} s, ${c.metric} target ${c.target}`,
        panels,
      ),
    );
    process.stdout.write(
      `${resultTable(workloads)}\n${JSON.stringify({ goal: result.goal, prefetch: result.prefetch }, null, 2)}\n`,
    );
    process.stdout.write(`wrote ${path} and ${svgPath}\n`);
    return 0;
  },
});
