/**
 * `infernode bench leader --quick` through the built CLI: a real leader, simulated agents in
 * child processes, picks through the gateway and the probe's trials. Checks the report's shape
 * and the functional facts (every agent connected, every pick answered, every probed change
 * reached routing), also with the picks on a gateway replica that follows the leader; no speed
 * figure is asserted: the goals belong to the benchmark's own run.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/run-cli.js';

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

interface Probe {
  trialsMs: (number | null)[];
  misses: number;
  summary: { n: number; p50Ms: number };
}

describe('infernode bench leader', () => {
  it('--quick measures the leader, the picks and the probes and writes the result', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bench-leader-test-'));
    dirs.push(dir);
    const out = join(dir, 'leader.json');
    const run = await runCli(['bench', 'leader', '--quick', '--out', out], {}, 170_000);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain('wrote');
    const record = JSON.parse(await readFile(out, 'utf8')) as {
      command: string;
      result: {
        size: { agents: number; engines: number; agentProcesses: number };
        leader: {
          cpuCores: number;
          rssMaxMiB: number;
          heapUsedMaxMiB: number;
          windows: number;
          eventLoopDelayP99Ms: { worstWindow: number; inOrder: number[] };
          paceStateMsInOrder: number[];
          firstPicksWindowP99Ms: number | null;
          threads: { mainOnCpu: number; mainWaitingForCpu: number; othersOnCpu: number } | null;
          gcPauses: { minor: { perS: number; meanMs: number; msPerS: number } | null };
        };
        deltaToRoutingMs: Probe;
        gpuFailureToRoutingMs: Probe;
        picks: {
          client: { sent: number; ok: number; latency: { n: number } };
          gatewayAdded: { n: number } | null;
          clientLoopDelayP99Ms: number;
          clientLoopDelayMaxMs: number;
          benchLoopDelayP99Ms: number;
          benchLoopDelayMaxMs: number;
        };
        agents: { connected: number; stateSent: number; kvSent: number };
        loadAverage: { before: number };
        targets: { name: string; goal: string; pass: boolean }[];
      };
    };
    expect(record.command).toBe(`infernode bench leader --quick --out ${out}`);
    const r = record.result;
    expect(r.size).toMatchObject({ agents: 20, engines: 40, agentProcesses: 2 });
    expect(r.leader.cpuCores).toBeGreaterThan(0);
    expect(r.leader.rssMaxMiB).toBeGreaterThan(r.leader.heapUsedMaxMiB);
    expect(r.leader.windows).toBeGreaterThanOrEqual(1);
    expect(r.leader.eventLoopDelayP99Ms.inOrder).toHaveLength(r.leader.windows);
    expect(Math.max(...r.leader.eventLoopDelayP99Ms.inOrder)).toBe(
      r.leader.eventLoopDelayP99Ms.worstWindow,
    );
    // The pace gauge was read at each window's end (NaN if the leader had not shown it).
    expect(r.leader.paceStateMsInOrder).toHaveLength(r.leader.windows);
    for (const ms of r.leader.paceStateMsInOrder) expect(ms).toBeGreaterThanOrEqual(0);
    // The warm-up carried picks: its first window of them is reported apart.
    expect(r.leader.firstPicksWindowP99Ms).toBeGreaterThanOrEqual(0);
    // Where the leader's main thread spent the window (Linux schedstat): it ran, and it could
    // not run or wait for longer than the window; its other threads (the KV index worker) ran.
    const threads = r.leader.threads;
    expect(threads?.mainOnCpu).toBeGreaterThan(0);
    expect((threads?.mainOnCpu ?? 2) + (threads?.mainWaitingForCpu ?? 2)).toBeLessThanOrEqual(1.05);
    expect(threads?.othersOnCpu).toBeGreaterThan(0);
    // The main thread's scavenges over the window, from its own GC histogram (at this size a
    // few at most: the reading is there and adds up).
    const minor = r.leader.gcPauses.minor;
    expect(minor?.perS).toBeGreaterThanOrEqual(0);
    expect(minor?.msPerS).toBeCloseTo((minor?.perS ?? 0) * (minor?.meanMs ?? 0), 0);
    expect(r.picks.benchLoopDelayP99Ms).toBeGreaterThanOrEqual(0);
    expect(r.picks.benchLoopDelayMaxMs).toBeGreaterThanOrEqual(r.picks.benchLoopDelayP99Ms);
    expect(r.picks.clientLoopDelayP99Ms).toBeGreaterThanOrEqual(0);
    expect(r.picks.clientLoopDelayMaxMs).toBeGreaterThanOrEqual(r.picks.clientLoopDelayP99Ms);
    // Every simulated agent stayed connected and spoke: state deltas and KV batches.
    expect(r.agents.connected).toBe(20);
    expect(r.agents.stateSent).toBeGreaterThan(0);
    expect(r.agents.kvSent).toBeGreaterThan(0);
    // Every pick reached a stub engine, and the gateway counted them in its own histogram.
    expect(r.picks.client.ok).toBe(r.picks.client.sent);
    expect(r.picks.client.sent).toBeGreaterThan(0);
    expect(r.picks.gatewayAdded?.n).toBeGreaterThanOrEqual(r.picks.client.sent);
    // Both kinds of change reached routing in every trial (the engine left the picks).
    for (const probe of [r.deltaToRoutingMs, r.gpuFailureToRoutingMs]) {
      expect(probe.trialsMs).toHaveLength(2);
      expect(probe.misses).toBe(0);
    }
    expect(r.targets.map((t) => t.name)).toEqual([
      'leader CPU',
      'leader RSS',
      'event-loop delay p99 (worst scrape window)',
      'GPU failure (Xid) visible to routing (worst trial)',
    ]);
    expect(Number.isFinite(r.loadAverage.before)).toBe(true);
  }, 180_000);

  it('--gateway-followers serves the picks on a replica fed by the leader', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bench-leader-test-'));
    dirs.push(dir);
    const out = join(dir, 'leader.json');
    const args = ['--quick', '--gateway-followers', '1', '--no-leader-picks', '--out', out];
    const run = await runCli(['bench', 'leader', ...args], {}, 170_000);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/follower 0: [\d.]+ cores/);
    const record = JSON.parse(await readFile(out, 'utf8')) as {
      command: string;
      result: {
        gateways: { followers: number; leaderTakesPicks: boolean; feed: unknown };
        followers: {
          cpuCores: number;
          windows: number;
          gatewayAdded: { n: number } | null;
          feed: { resyncs: number; slowDropped: number };
        }[];
        deltaToRoutingMs: Probe;
        gpuFailureToRoutingMs: Probe;
        picks: { client: { sent: number; ok: number }; gatewayAdded: { n: number } | null };
      };
    };
    expect(record.command).toBe(`infernode bench leader ${args.join(' ')}`);
    const r = record.result;
    // The follower stayed in step with the feed: never restarted, never dropped as slow.
    expect(r.gateways).toEqual({
      followers: 1,
      leaderTakesPicks: false,
      feed: { resyncs: 0, slowDropped: 0 },
    });
    // Every pick answered, all of them by the follower's gateway, none by the leader's.
    expect(r.picks.client.sent).toBeGreaterThan(0);
    expect(r.picks.client.ok).toBe(r.picks.client.sent);
    expect(r.picks.gatewayAdded?.n ?? 0).toBe(0);
    expect(r.followers).toHaveLength(1);
    expect(r.followers[0]?.gatewayAdded?.n).toBeGreaterThanOrEqual(r.picks.client.sent);
    expect(r.followers[0]?.cpuCores).toBeGreaterThan(0);
    expect(r.followers[0]?.windows).toBeGreaterThanOrEqual(1);
    expect(r.followers[0]?.feed).toEqual({ resyncs: 0, slowDropped: 0 });
    // The probe asks the follower: an agent's delta and a GPU failure reach its routing through
    // the leader's feed in every trial.
    for (const probe of [r.deltaToRoutingMs, r.gpuFailureToRoutingMs]) {
      expect(probe.trialsMs).toHaveLength(2);
      expect(probe.misses).toBe(0);
    }
  }, 180_000);

  it('refuses --no-leader-picks without a follower to take them', async () => {
    const run = await runCli(['bench', 'leader', '--quick', '--no-leader-picks'], {}, 60_000);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain('--no-leader-picks needs --gateway-followers');
  }, 70_000);
});
