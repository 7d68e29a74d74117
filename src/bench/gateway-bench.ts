/**
 * `infernode bench gateway`: what the gateway adds. Starts a local cluster (fast simulators, the
 * leader's gateway, one agent), then a load generator in its own process sends the same requests
 * straight to the engines and through the gateway in one run: sequential pairs for added latency
 * (p50/p99, and percentiles of the paired differences), paced arrivals for latency at moderate
 * load, and closed-loop concurrency for the throughput ratio. Also reads the gateway's own
 * `infernode_gateway_added_latency_seconds` histogram per phase. Targets are reported, not asserted.
 */
import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import { resolve as resolvePath } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineCommand } from '../shared/index.js';
import { bool, int, list, num, str } from '../shared/index.js';
import { freePorts } from '../shared/index.js';
import { startBenchCluster } from './bench-cluster.js';
import {
  checkAgainstProxy,
  compareCpu,
  renderCpuComparison,
  summarizeReference,
} from './gateway-vs-proxy.js';
import { runLoadGenerator, startReferenceProxy, type ReferenceProxy } from './bench-processes.js';
import { checkTargets, renderMarkdown, type LoadResult } from './gateway-report.js';
import type { LoadPlan } from './load-client.js';
import { writeBenchResult } from './results.js';
import { runReplicasSection, type ReplicasSection } from './gateway-replicas.js';
import {
  replicaCounts,
  replicasCommandLine,
  replicasSettings,
  replicasSpec,
  type ReplicasFlags,
} from './gateway-replicas-options.js';
import { checkReplicaTargets, renderReplicas } from './gateway-replicas-render.js';

const spec = {
  requests: int(1000, 'sequential request pairs per round', { min: 10 }),
  rounds: int(3, 'sequential rounds', { min: 1 }),
  warmup: int(300, 'warm-up request pairs per variant (not measured)', { min: 0 }),
  warmupS: num(
    5,
    'closed-loop warm-up per target and variant, seconds (not measured): long enough that V8 ' +
      'has finished optimizing the hot path before anything is measured',
    { min: 0 },
  ),
  rate: int(1000, 'paced phase: offered requests per second, both targets together (0 = skip)', {
    min: 0,
  }),
  durationS: num(4, 'seconds per target for the paced and each throughput phase', { min: 0.5 }),
  concurrency: list(['16', '64'], 'closed-loop concurrencies for the throughput ratio', {
    check: (v) =>
      v.length > 0 && v.every((c) => /^[1-9]\d*$/.test(c))
        ? undefined
        : 'expected positive integers',
  }),
  engines: int(1, 'simulated engines (direct load is spread over all of them)', {
    min: 1,
    max: 16,
  }),
  speed: num(1000, 'simulator speed factor (engine time ÷ this)', { min: 1 }),
  maxTokens: int(8, 'max_tokens per request', { min: 1 }),
  promptBytes: int(1024, 'prompt size in bytes (the request body is ~70 bytes more)', { min: 1 }),
  strategy: str('auto', 'the gateway’s routing strategy (the leader’s --routing-strategy)'),
  stream: bool(true, 'also run the streaming variant'),
  referenceProxy: bool(
    true,
    'also measure a bare node:http proxy (the floor for a Node gateway on this machine)',
  ),
  timeoutMs: int(10_000, 'per-request timeout, ms', { min: 100 }),
  cpuProfDir: str('', 'write V8 CPU profiles of every child (leader, sims, agent) here'),
  out: str('bench/results/gateway.json', 'result file (a .md summary is written next to it)'),
  ...replicasSpec,
};

/** The typed values of `spec`. */
interface GatewayBenchConfig extends ReplicasFlags {
  readonly requests: number;
  readonly rounds: number;
  readonly warmup: number;
  readonly warmupS: number;
  readonly rate: number;
  readonly durationS: number;
  readonly concurrency: readonly string[];
  readonly engines: number;
  readonly speed: number;
  readonly maxTokens: number;
  readonly promptBytes: number;
  readonly strategy: string;
  readonly stream: boolean;
  readonly referenceProxy: boolean;
  readonly timeoutMs: number;
  readonly cpuProfDir: string;
  readonly out: string;
}

const MODEL = 'bench-model';

function commandLine(c: GatewayBenchConfig): string {
  return (
    `infernode bench gateway --requests ${c.requests} --rounds ${c.rounds} ` +
    `--warmup ${c.warmup} --warmup-s ${c.warmupS} --rate ${c.rate} ` +
    `--duration-s ${c.durationS} --concurrency ${c.concurrency.join(',')} --engines ${c.engines} ` +
    `--speed ${c.speed} --max-tokens ${c.maxTokens} --prompt-bytes ${c.promptBytes} ` +
    `--strategy ${c.strategy}` +
    (c.stream ? '' : ' --no-stream') +
    (c.referenceProxy ? '' : ' --no-reference-proxy') +
    replicasCommandLine(c)
  );
}

/** The `gateway` bench scenario. */
export const gatewayBench = defineCommand({
  name: 'gateway',
  summary: 'gateway added latency (p50/p99) and throughput vs direct engine access, one run',
  usage:
    'infernode bench gateway [--requests 1000] [--rounds 3] [--rate 1000] [--duration-s 4] ' +
    '[--concurrency 16,64] [--engines 1] [--no-stream] [--replicas 1,2] [--out bench/results/gateway.json]',
  envPrefix: 'BENCH_GATEWAY',
  spec,
  async run({ config }) {
    const c = config as unknown as GatewayBenchConfig;
    const loadBefore = os.loadavg()[0] ?? NaN; // the machine is shared: say how busy it was
    const report = (line: string): boolean => process.stderr.write(`${line}\n`);
    const preload = fileURLToPath(new URL('./cpu-profile-preload.js', import.meta.url));
    const env =
      c.cpuProfDir === ''
        ? undefined
        : {
            NODE_OPTIONS: `--import=${preload}`,
            INFERNODE_CPU_PROF_DIR: resolvePath(c.cpuProfDir),
          };
    const bench = await startBenchCluster({
      engines: c.engines,
      model: MODEL,
      speed: c.speed,
      maxNumSeqs: 1024,
      leaderArgs: ['--routing-strategy', c.strategy],
      ...(env === undefined ? {} : { env }),
      report,
    });
    report(`cluster up: gateway :${bench.gatewayPort}, ${c.engines} engine(s); logs ${bench.dir}`);
    const concurrency = c.concurrency.map(Number);
    const plan: LoadPlan = {
      host: bench.host,
      gatewayPort: bench.gatewayPort,
      directPorts: bench.enginePorts,
      controlPort: bench.controlPort,
      model: MODEL,
      rounds: c.rounds,
      requests: c.requests,
      warmup: c.warmup,
      warmupMs: c.warmupS * 1000,
      rate: c.rate,
      durationMs: c.durationS * 1000,
      concurrency,
      maxTokens: c.maxTokens,
      promptBytes: c.promptBytes,
      variants: c.stream ? ['non-streaming', 'streaming'] : ['non-streaming'],
      timeoutMs: c.timeoutMs,
    };
    const budgetMs = (variants: number): number =>
      variants * (c.rounds * c.requests * 20 + (concurrency.length * 2 + 1) * plan.durationMs) +
      120_000;
    let load: LoadResult;
    let reference: LoadResult | undefined;
    let replicas: ReplicasSection | undefined;
    const counts = replicaCounts(c);
    let failed = true;
    try {
      // The reference proxy runs beside the gateway, each phase measured on both in turns.
      let proxy: ReferenceProxy | undefined;
      if (c.referenceProxy) {
        const [port] = await freePorts(1);
        proxy = await startReferenceProxy(port ?? 0, bench.enginePorts);
        report(`reference proxy :${proxy.port}`);
      }
      try {
        const subjects = proxy === undefined ? 1 : 2;
        ({ gateway: load, reference } = await runLoadGenerator(
          proxy === undefined ? plan : { ...plan, referencePort: proxy.port },
          budgetMs(plan.variants.length * subjects),
        ));
      } finally {
        await proxy?.stop();
      }
      // Last: it kills the leader.
      if (counts !== undefined)
        replicas = await runReplicasSection(
          bench,
          replicasSettings(c, counts, {
            ...{ model: MODEL, leaderArgs: ['--routing-strategy', c.strategy], report },
            ...{ concurrency: Math.max(...concurrency), durationMs: plan.durationMs },
            ...{ maxTokens: c.maxTokens, promptBytes: c.promptBytes, timeoutMs: c.timeoutMs },
          }),
        );
      failed = false;
    } finally {
      await bench.stop(failed);
    }
    const checks = [
      ...checkTargets(load),
      ...(reference === undefined ? [] : checkAgainstProxy(load, reference)),
      ...(replicas === undefined ? [] : checkReplicaTargets(replicas)),
    ];
    const cpuComparison = reference === undefined ? [] : compareCpu(load, reference);
    const cpus = os.cpus();
    const loadAfter = os.loadavg()[0] ?? NaN;
    const note =
      `Client (load generator), gateway (leader) and ${c.engines} simulator(s) plus one agent ` +
      `share ${cpus.length} cores, so throughput ratios are lower bounds for a gateway with its own cores; ` +
      `simulator speed ×${c.speed}, max_tokens ${c.maxTokens}, ~${c.promptBytes}-byte prompts, ` +
      `routing strategy ${c.strategy}. 1-min load average ${loadBefore.toFixed(1)} before the run, ` +
      `${loadAfter.toFixed(1)} at its end (other work on the machine included).`;
    const result = {
      topology: {
        engines: c.engines,
        agents: 1,
        simulatorSpeed: c.speed,
        routingStrategy: c.strategy,
        maxTokens: c.maxTokens,
        promptBytes: c.promptBytes,
        loadGenerator: 'own process, node:http keep-alive agents',
      },
      targets: checks,
      allTargetsMet: checks.every((t) => t.pass),
      ...load,
      referenceProxy: reference === undefined ? undefined : summarizeReference(load, reference),
      referenceProxyResult: reference,
      cpuComparison,
      replicas,
      note,
    };
    const command = commandLine(c);
    const path = await writeBenchResult(c.out, command, result);
    const md = c.out.replace(/\.json$/, '') + '.md';
    const machine = `${cpus.length} × ${cpus[0]?.model ?? 'unknown CPU'}, Node ${process.version}`;
    await writeFile(
      md,
      renderMarkdown({
        command,
        at: new Date().toISOString(),
        machine,
        result: load,
        reference,
        checks,
        note,
        extra: [
          ...renderCpuComparison(cpuComparison, load, reference),
          ...(replicas === undefined ? [] : renderReplicas(replicas)),
        ],
      }),
    );
    process.stdout.write(
      `${JSON.stringify({ targets: checks }, null, 2)}\nwrote ${path} and ${md}\n`,
    );
    return 0;
  },
});
