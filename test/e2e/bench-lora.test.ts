/**
 * `infernode bench lora --quick` through the built CLI: the result's structure and the relations
 * the experiment is built on (both arms saw the same requests, the dense arm has fewer engines,
 * the sized dense fleet is at least as large as the first one). No figure is asserted: the
 * figures are the benchmark's output.
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

interface Arm {
  engines: number;
  requests: number;
  completed: number;
  rejected: number;
  wallSeconds: number;
  provisionedGpuSeconds: number;
  provisionedGpuSecondsPer1000: number;
  busyGpuSeconds: number;
  busyGpuSecondsPer1000: number;
  utilisation: number;
  ttftP50Ms: number;
  ttftP99Ms: number;
}

interface Level {
  requestsPerS: number;
  dense: Arm;
  dedicated: Arm;
  provisionedGain: number;
  busyGain: number;
  sizedDense: { cost: Arm; provisionedGain: number; busyGain: number; metSlo: boolean };
}

describe('infernode bench lora', () => {
  it('--quick replays one Zipf stream on dense and dedicated fleets and writes its result', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bench-lora-test-'));
    dirs.push(dir);
    const out = join(dir, 'lora.json');
    const run = await runCli(['bench', 'lora', '--quick', '--out', out], {}, 110_000);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/low traffic \(2 req\/s\)/);
    expect(run.stdout).toMatch(/AIBrix reports 4\.7× \(low\) \/ 1\.5× \(high\)/);

    const record = JSON.parse(await readFile(out, 'utf8')) as {
      command: string;
      result: {
        setup: { adapters: number; denseEngines: number; maxLoras: number; zipfS: number };
        density: { low: Level; high: Level };
        aibrix: { lowTraffic: number; highTraffic: number };
      };
    };
    expect(record.command).toContain('infernode bench lora --quick --adapters 64 --engines 4');
    const { setup, density, aibrix } = record.result;
    expect(setup).toMatchObject({ adapters: 64, denseEngines: 4, maxLoras: 8, zipfS: 1 });
    expect(aibrix).toEqual({ lowTraffic: 4.7, highTraffic: 1.5 });
    for (const level of [density.low, density.high]) {
      expect(level.dense.engines).toBe(4);
      expect(level.dedicated.engines).toBe(64);
      expect(level.dense.requests).toBeGreaterThan(0);
      expect(level.dedicated.requests).toBe(level.dense.requests);
      for (const arm of [level.dense, level.dedicated, level.sizedDense.cost]) {
        expect(arm.completed + arm.rejected).toBe(arm.requests);
        expect(arm.provisionedGpuSeconds).toBeCloseTo(arm.engines * arm.wallSeconds, 1);
        expect(arm.busyGpuSeconds).toBeLessThanOrEqual(arm.provisionedGpuSeconds);
        expect(arm.ttftP99Ms).toBeGreaterThanOrEqual(arm.ttftP50Ms);
        expect(arm.ttftP50Ms).toBeGreaterThan(0);
      }
      expect(level.provisionedGain).toBeCloseTo(
        level.dedicated.provisionedGpuSecondsPer1000 / level.dense.provisionedGpuSecondsPer1000,
        2,
      );
      expect(level.sizedDense.cost.engines).toBeGreaterThanOrEqual(4);
      expect(level.sizedDense.cost.engines).toBeLessThanOrEqual(64);
    }
    expect(density.high.requestsPerS).toBeGreaterThan(density.low.requestsPerS);
  });
});
