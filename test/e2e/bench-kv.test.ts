/**
 * `infernode bench kv` at a tiny size, through the built CLI (both servers are child processes
 * running the built JS): the result's shape, and that each side moved the bytes it was asked to
 * — the server child's own counters, read around every measurement, cover the payload. No
 * timings are asserted: speed belongs to the benchmark's own figures.
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
    expect(record.command).toContain('infernode bench kv --block-kib 16 --batch 4');
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
});
