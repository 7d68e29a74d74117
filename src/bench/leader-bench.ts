/**
 * `infernode bench leader`: the leader at 1,000 nodes (issue #18). Starts a real leader process
 * (static discovery from a generated cluster file of N nodes × M engines, every engine URL on a
 * few stub engines), N simulated agents in a few child processes (real WebSockets, the real
 * protocol at the agents' real periods, KV batches), one probe agent, then measures over a window
 * at full load: the leader's CPU, RSS, heap and event-loop delay from its own /metrics, picks
 * through the real gateway at a steady rate, and how long an agent's delta and an urgent GPU
 * failure take to reach routing. Goals are reported as pass/fail, never asserted.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os, { tmpdir } from 'node:os';
import { join, resolve as resolvePath } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineCommand, freePorts } from '../shared/index.js';
import { stopForkedChild } from './bench-processes.js';
import {
  leaderClusterFile,
  type AgentsChildPlan,
  type AgentsChildStats,
} from './leader-bench-plan.js';
import { startGatewayFollowers } from './leader-bench-followers.js';
import { startLeaderProcess, waitForAgents } from './leader-bench-leader.js';
import { ProbeAgent } from './leader-bench-probe.js';
import {
  agentTotals,
  feedTrouble,
  gatewayAdded,
  leaderResources,
  leaderRunLines,
  leaderTargets,
  probeSummary,
} from './leader-bench-report.js';
import {
  leaderBenchCommandLine,
  leaderBenchSpec,
  withQuick,
  type LeaderBenchConfig,
} from './leader-bench-settings.js';
import { startPickProcess } from './leader-bench-pick-process.js';
import { writeBenchResult } from './results.js';
import { measureLeader, warmUp } from './leader-bench-measure.js';

const HOST = '127.0.0.1';
const here = (name: string): string => fileURLToPath(new URL(`./${name}`, import.meta.url));
const report = (line: string): boolean => process.stderr.write(`${line}\n`);

/** Forks the agents children, each with its slice of nodes; `latest` holds their last stats. */
function forkAgents(c: LeaderBenchConfig, hubUrl: string, secret: string) {
  const latest: AgentsChildStats[] = [];
  const children: ChildProcess[] = [];
  const per = Math.ceil(c.agents / c.agentProcesses);
  for (let i = 0; i < c.agentProcesses; i++) {
    const plan: AgentsChildPlan = {
      hubUrl,
      secret,
      from: i * per,
      to: Math.min(c.agents, (i + 1) * per),
      engines: c.engines,
      models: c.models,
      periodMs: c.periodMs,
      kvBlocksPerS: c.kvBlocksPerS,
      kvBlocksPerEngine: c.kvBlocksPerEngine,
      kvFlushMs: c.kvFlushMs,
      kvBinary: !c.kvJson,
      paced: c.pace,
      connectPerS: c.connectPerS,
    };
    if (plan.from >= plan.to) break;
    const child = fork(here('leader-bench-agents.js'), [JSON.stringify(plan)], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    child.on('message', (m: AgentsChildStats) => (latest[i] = m));
    children.push(child);
  }
  return { latest, children };
}

/** The `leader` bench scenario. */
export const leaderBench = defineCommand({
  name: 'leader',
  summary:
    'the leader at N agents × M engines: CPU, memory, event-loop delay, routing delays, picks',
  usage:
    'infernode bench leader [--agents 1000] [--engines 8] [--duration 60] [--rate 100] ' +
    '[--quick] [--out bench/results/leader.json]',
  envPrefix: 'BENCH_LEADER',
  spec: leaderBenchSpec,
  async run({ config }) {
    const c = withQuick(config);
    if (!c.leaderPicks && c.gatewayFollowers === 0)
      throw new Error('--no-leader-picks needs --gateway-followers 1 or more');
    const loadBefore = os.loadavg()[0] ?? NaN;
    const dir = await mkdtemp(join(tmpdir(), 'infernode-bench-leader-'));
    const [gatewayPort = 0, controlPort = 0] = await freePorts(2);
    const picker = await startPickProcess({ host: HOST, stubEngines: c.stubEngines });
    const clusterFile = join(dir, 'cluster.yaml');
    const layout = { host: HOST, gatewayPort, controlPort, nodes: c.agents, engines: c.engines };
    const file = leaderClusterFile({ ...layout, models: c.models, stubPorts: picker.ports });
    await writeFile(clusterFile, `${JSON.stringify(file)}\n`); // JSON is YAML
    const secret = randomBytes(24).toString('hex');
    const preload = here('cpu-profile-preload.js');
    const env = {
      INFERNODE_LEADER_ROUTING_PREFIX_CACHE_BLOCK_INDEX_SAMPLE_EVERY: String(
        c.blockIndexSampleEvery,
      ),
      INFERNODE_LEADER_ROUTING_PREFIX_CACHE_BLOCK_INDEX_WORKER: String(c.blockIndexWorker),
      INFERNODE_LEADER_ROUTING_MAX_SCORED_CANDIDATES: String(c.maxScoredCandidates),
    };
    const leader = await startLeaderProcess({
      clusterFile,
      host: HOST,
      gatewayPort,
      controlPort,
      secret,
      logFile: join(dir, 'leader.log'),
      readyTimeoutMs: 60_000,
      env: {
        ...env,
        ...(c.cpuProfDir === ''
          ? {}
          : {
              NODE_OPTIONS: `--import=${preload}`,
              INFERNODE_CPU_PROF_DIR: resolvePath(c.cpuProfDir),
            }),
      },
    }).catch(async (err: unknown) => {
      await picker.stop();
      throw err;
    });
    report(`leader up (pid ${leader.pid}); ${c.agents} agents × ${c.engines} engines; log ${dir}`);
    const followers = await startGatewayFollowers({
      ...{ count: c.gatewayFollowers, clusterFile, host: HOST, secret, env, dir },
      ...{ leaderControlUrl: leader.controlUrl, readyTimeoutMs: 60_000 },
    }).catch(async (err: unknown) => {
      await Promise.all([leader.stop(), picker.stop()]);
      throw err;
    });
    const pickUrls = [
      ...(c.leaderPicks ? [leader.gatewayUrl] : []),
      ...followers.map((f) => f.gatewayUrl),
    ];
    const hubUrl = `ws://${HOST}:${controlPort}/v1/agents`;
    const agents = forkAgents(c, hubUrl, secret);
    let probe: ProbeAgent | undefined;
    const startedAt = Date.now();
    let keepDir = true; // a failed run keeps the leader's log
    try {
      probe = await ProbeAgent.connect(hubUrl, secret, c.periodMs);
      const connectS = c.agents / (c.connectPerS * agents.children.length);
      const agentsSay = (): string => {
        const t = agentTotals(agents.latest, 1);
        return `${t.connected} open, ${t.welcomed} welcomed, ${t.closes} closed`;
      };
      await waitForAgents(
        leader.controlUrl,
        c.agents + 1,
        connectS * 1000 + 60_000,
        agentsSay,
        report,
      );
      const agentsConnectS = (Date.now() - startedAt) / 1000;
      report(`every agent connected in ${agentsConnectS.toFixed(1)} s`);
      report(`warming up ${c.warmupS} s, then measuring ${c.duration} s …`);
      const coldPicksP99Ms = await warmUp(c, leader.controlUrl, pickUrls, picker);
      const m = await measureLeader(c, leader, { pickUrls, followers }, probe, picker);
      const seconds = (Date.now() - startedAt) / 1000;
      const resources = leaderResources(m.samples);
      const gpu = probeSummary(m.trials, 'gpu');
      const result = {
        size: {
          agents: c.agents,
          enginesPerAgent: c.engines,
          engines: c.agents * c.engines,
          models: c.models,
          periodMs: c.periodMs,
          kvBlocksPerSPerNode: c.kvBlocksPerS,
          kvBlocksPerEngine: c.kvBlocksPerEngine,
          kvFlushMs: c.kvFlushMs,
          pickRatePerS: c.rate,
          durationS: c.duration,
          agentProcesses: agents.children.length,
          blockIndexSampleEvery: c.blockIndexSampleEvery,
          blockIndexWorker: c.blockIndexWorker,
          maxScoredCandidates: c.maxScoredCandidates,
        },
        method:
          'real leader process (static discovery); engine URLs on stub engines in the pick ' +
          'client’s own process (the leader probes only engines passive health ejected: none ' +
          'here); agents ' +
          'simulated in child processes over real WebSockets; delays timed by the probe agent ' +
          'until the gateway’s answer for its model flips',
        leader: {
          ...resources,
          // The loop p99 of the first window of gateway traffic, in the warm-up (see warmUp).
          firstPicksWindowP99Ms: coldPicksP99Ms,
          metricsScrapesFailed: m.scrapeFailures,
          threads: m.threads,
        },
        gateways: {
          followers: c.gatewayFollowers,
          leaderTakesPicks: c.leaderPicks,
          feed: feedTrouble(m.samples),
        },
        followers: m.followerSamples.map((samples) => ({
          ...leaderResources(samples),
          gatewayAdded: gatewayAdded(samples) ?? null,
          feed: feedTrouble(samples),
        })),
        deltaToRoutingMs: probeSummary(m.trials, 'ready'),
        gpuFailureToRoutingMs: gpu,
        picks: {
          client: m.picks,
          gatewayAdded: gatewayAdded(m.samples) ?? null,
          clientLoopDelayP99Ms: m.clientLoopDelayP99Ms,
          clientLoopDelayMaxMs: m.clientLoopDelayMaxMs,
          benchLoopDelayP99Ms: m.benchLoopDelayP99Ms,
          benchLoopDelayMaxMs: m.benchLoopDelayMaxMs,
        },
        agents: { ...agentTotals(agents.latest, seconds), allConnectedS: agentsConnectS },
        loadAverage: { before: loadBefore, during: m.loadAvg, cpus: os.cpus().length },
        targets: leaderTargets(resources, gpu),
      };
      const path = await writeBenchResult(c.out, leaderBenchCommandLine(c), result);
      for (const line of leaderRunLines(result, m)) report(line);
      report(`wrote ${path}`);
      keepDir = false;
      return 0;
    } finally {
      probe?.close();
      await Promise.all(agents.children.map(stopForkedChild));
      await Promise.all(followers.map((f) => f.stop()));
      await leader.stop();
      await picker.stop();
      if (keepDir) report(`leader log kept in ${dir}`);
      else await rm(dir, { recursive: true, force: true });
    }
  },
});
