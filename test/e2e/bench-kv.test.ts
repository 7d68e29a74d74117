/**
 * `infernode bench kv` at a tiny size, through the built CLI (both servers are child processes
 * running the built JS): the result's shape, and that each side moved the bytes it was asked to
 * — the server child's own counters, read around every measurement, cover the payload. No
 * timings are asserted: speed belongs to the benchmark's own figures. Then the trace section,
 * `--quick`, over a file that already has a loopback section: that section is kept, and every
 * mode of the Mooncake replay served every request.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/run-cli.js';

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

interface Round {
  MBps: number;
  payloadBytes: number;
  serverBytesIn: number;
  serverBytesOut: number;
  serverCpuMsPerGB: number;
  clientCpuMsPerGB: number;
}
interface Side {
  bestMBps: number;
  medianMBps: number;
  rounds: Round[];
}
interface Case {
  blocksPerCall: number;
  calls: number;
  raw: Side;
  block: Side;
  ratioBest: number;
  ratioMedian: number;
  cpuRatio: number;
}

describe('infernode bench kv', () => {
  it('moves the same bytes through raw TCP and the block service and writes its result', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bench-kv-test-'));
    dirs.push(dir);
    const out = join(dir, 'kv.json');
    const blockBytes = 16 * 1024;
    const batch = 4;
    const mib = 1;
    const run = await runCli(
      [
        'bench',
        'kv',
        ...['--sections', 'loopback'],
        ...['--block-kib', '16', '--batch', String(batch), '--concurrency', '2'],
        ...['--mib', String(mib), '--rounds', '2', '--latency-samples', '3', '--out', out],
      ],
      {},
      110_000,
    );
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/single 16 KiB get latency: block p50 [\d.]+ ms/);

    const record = JSON.parse(await readFile(out, 'utf8')) as {
      command: string;
      result: {
        loopback: Record<'batchPut' | 'batchGet' | 'singlePut' | 'singleGet', Case> & {
          singleGetLatency: Record<'raw' | 'block', { n: number; p50Ms: number; p99Ms: number }>;
        };
        trace: unknown;
        machine: { loadAverageStart: number[]; loadAverageEnd: number[] };
      };
    };
    expect(record.command).toContain(
      'infernode bench kv --sections loopback --block-kib 16 --batch 4',
    );
    const { loopback, trace, machine } = record.result;
    expect(trace).toBeNull();
    expect(machine.loadAverageStart).toHaveLength(3);
    expect(machine.loadAverageEnd).toHaveLength(3);

    const payload = mib * 1024 * 1024;
    const cases = [
      ['batchPut', 'put', batch],
      ['batchGet', 'get', batch],
      ['singlePut', 'put', 1],
      ['singleGet', 'get', 1],
    ] as const;
    for (const [name, op, perCall] of cases) {
      const c = loopback[name];
      expect(c.blocksPerCall, name).toBe(perCall);
      expect(c.calls * perCall * blockBytes, name).toBe(payload);
      for (const side of [c.raw, c.block]) {
        expect(side.rounds, name).toHaveLength(2);
        for (const r of side.rounds) {
          expect(r.payloadBytes, name).toBe(payload);
          // The server's own counters: the payload crossed the socket in the right direction,
          // with framing on top but never more than a few headers per block.
          const moved = op === 'put' ? r.serverBytesIn : r.serverBytesOut;
          const other = op === 'put' ? r.serverBytesOut : r.serverBytesIn;
          expect(moved, name).toBeGreaterThanOrEqual(payload);
          expect(moved, name).toBeLessThan(payload + c.calls * (32 + perCall * 16));
          expect(other, name).toBeLessThan(c.calls * (32 + perCall * 16));
          expect(r.MBps, name).toBeGreaterThan(0);
          expect(r.serverCpuMsPerGB, name).toBeGreaterThan(0);
        }
        expect(side.bestMBps).toBe(Math.max(...side.rounds.map((r) => r.MBps)));
      }
      expect(c.ratioBest, name).toBeCloseTo(c.block.bestMBps / c.raw.bestMBps, 1);
      expect(c.cpuRatio, name).toBeGreaterThan(0);
    }
    // Warm-up samples are not kept: 3 samples × 2 rounds per side.
    expect(loopback.singleGetLatency.raw.n).toBe(6);
    expect(loopback.singleGetLatency.block.n).toBe(6);
    expect(loopback.singleGetLatency.block.p99Ms).toBeGreaterThanOrEqual(
      loopback.singleGetLatency.block.p50Ms,
    );
  });

  it('replays the trace once per mode and keeps the loopback section it did not run', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bench-kv-trace-test-'));
    dirs.push(dir);
    const out = join(dir, 'kv.json');
    const earlier = { loopback: { marker: 'kept' }, trace: null };
    await writeFile(
      out,
      JSON.stringify({ command: 'infernode bench kv --mib 1', result: earlier }),
    );
    const run = await runCli(
      ['bench', 'kv', '--sections', 'trace', '--quick', '--out', out],
      {},
      600_000,
    );
    expect(run.code, run.stderr).toBe(0);

    const record = JSON.parse(await readFile(out, 'utf8')) as {
      command: string;
      result: {
        loopback: unknown;
        commands: Record<string, string>;
        trace: {
          settings: { engines: number; nodes: number; bytesFraction: number; why: string };
          modes: {
            mode: string;
            requests: number;
            completed: number;
            errors: number;
            rejected: number;
            ttftMs: { mean: number; p50: number; p99: number };
            requestsPerS: number;
            outputTokensPerS: number;
            tiers: Record<string, unknown>;
            outsideEngineMs: number;
            gatewayAddedWallMs: { n: number; meanMs: number } | null;
          }[];
          verdict: { l1l2VsApproximate: number; noFailures: boolean };
          note: string;
        };
      };
    };
    expect(record.command).toBe('infernode bench kv --sections trace --quick');
    expect(record.result.loopback).toEqual({ marker: 'kept' });
    expect(record.result.commands).toEqual({
      loopback: 'infernode bench kv --mib 1',
      trace: 'infernode bench kv --sections trace --quick',
    });
    const { settings, modes, verdict, note } = record.result.trace;
    expect(settings.nodes).toBe(2);
    expect(settings.engines).toBeGreaterThanOrEqual(4);
    expect(settings.why).not.toBe('');
    expect(note).toContain(String(settings.bytesFraction));
    expect(modes.map((m) => m.mode)).toEqual(['random', 'approximate', 'precise', 'precise+l1l2']);
    for (const m of modes) {
      expect(m.requests, m.mode).toBeGreaterThan(0);
      expect(m.completed, m.mode).toBe(m.requests);
      expect(m.errors, m.mode).toBe(0);
      expect(m.rejected, m.mode).toBe(0);
      expect(m.ttftMs.p99, m.mode).toBeGreaterThanOrEqual(m.ttftMs.p50);
      expect(m.requestsPerS, m.mode).toBeGreaterThan(0);
      expect(m.outputTokensPerS, m.mode).toBeGreaterThan(0);
      expect(m.tiers.queriedTokens, m.mode).toBeGreaterThan(0);
      // The gateway timed every request of this run's fresh cluster.
      expect(m.gatewayAddedWallMs?.n, m.mode).toBe(m.requests);
      expect(m.gatewayAddedWallMs?.meanMs, m.mode).toBeGreaterThan(0);
      expect(Number.isFinite(m.outsideEngineMs), m.mode).toBe(true);
    }
    // Only the L1 run has the engines' connector: its lookups are counted there and nowhere else.
    const lookups = (m: (typeof modes)[number]): number =>
      Object.values(m.tiers.fetchDecisions as Record<string, number>).reduce((a, b) => a + b, 0);
    expect(lookups(modes[3] as (typeof modes)[number])).toBeGreaterThan(0);
    for (const m of modes.slice(0, 3)) expect(lookups(m), m.mode).toBe(0);
    expect(verdict.noFailures).toBe(true);
    expect(Number.isFinite(verdict.l1l2VsApproximate)).toBe(true);
  }, 660_000);
});
