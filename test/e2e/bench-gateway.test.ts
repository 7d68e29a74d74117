/**
 * `infernode bench gateway` at a tiny size, through the built CLI, with the bare reference proxy
 * measured in turns with the gateway: both have every phase of both variants, each with the
 * requests it served and its own CPU over them, and the CPU comparison has a row per phase.
 * No timing or ratio is asserted (speed belongs to the benchmark's own figures).
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

interface Own {
  requests?: number;
  cpuMsPerRequest?: number;
}
interface Variant {
  sequential: { pairs: number; errors: number; gatewayOwn: Own };
  paced: { errors: number; gatewayOwn: Own; gateway: { n: number } };
  throughput: { concurrency: number; gatewayRps: number; errors: number; gatewayOwn: Own }[];
}
type Load = Record<'non-streaming' | 'streaming', Variant> & { idleCpuMsPerSecond: number };

describe('infernode bench gateway with the reference proxy', () => {
  it('measures the gateway and the bare proxy phase by phase, each with its own CPU', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bench-gw-test-'));
    dirs.push(dir);
    const out = join(dir, 'gateway.json');
    const run = await runCli(
      [
        'bench',
        'gateway',
        ...['--requests', '10', '--rounds', '2', '--warmup', '2', '--warmup-s', '0.2'],
        ...['--rate', '100', '--duration-s', '1', '--concurrency', '2', '--out', out],
      ],
      {},
      200_000,
    );
    expect(run.code, run.stderr).toBe(0);
    const { result } = JSON.parse(await readFile(out, 'utf8')) as {
      result: Load & {
        referenceProxyResult: Load;
        cpuComparison: { variant: string; phase: string; ratio: number }[];
      };
    };
    for (const load of [result, result.referenceProxyResult]) {
      expect(load.idleCpuMsPerSecond).toBeGreaterThanOrEqual(0);
      for (const variant of ['non-streaming', 'streaming'] as const) {
        const v = load[variant];
        expect(v.sequential.pairs).toBe(20);
        expect(v.sequential.gatewayOwn.requests).toBe(20);
        expect(v.paced.errors).toBe(0);
        expect(v.paced.gateway.n).toBeGreaterThan(0);
        expect(v.paced.gatewayOwn.requests).toBe(v.paced.gateway.n);
        expect(v.throughput.map((t) => t.concurrency)).toEqual([2]);
        for (const own of [
          v.sequential.gatewayOwn,
          v.paced.gatewayOwn,
          v.throughput[0]?.gatewayOwn,
        ])
          expect(own?.cpuMsPerRequest).toBeGreaterThan(0);
      }
    }
    const phases = result.cpuComparison.map((r) => `${r.variant} ${r.phase}`);
    for (const variant of ['non-streaming', 'streaming'])
      for (const phase of ['sequential', 'paced 100 req/s', 'closed loop c=2', 'all phases'])
        expect(phases).toContain(`${variant} ${phase}`);
    for (const row of result.cpuComparison) expect(row.ratio).toBeGreaterThan(0);
  }, 240_000);
});
