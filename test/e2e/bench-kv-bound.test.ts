/**
 * `infernode bench kv-bound --quick` through the built CLI: 60 s of the Mooncake trace at rate
 * scale 1, every mode. Checks the result's structure and the relations the bound is built on
 * (every mode saw the same requests; only the oracles load; shares add up). No TTFT figure is
 * asserted: the figures are the benchmark's output.
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

interface Row {
  mode: string;
  rateScale: number;
  requests: number;
  completed: number;
  refused: number;
  ttftMeanMs: number;
  computedShare: number;
  gpuHitShare: number;
  loadedShare: number;
  loads: number;
}

describe('infernode bench kv-bound', () => {
  it('--quick replays the trace window in every mode and writes ratios and a verdict', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bench-kv-bound-test-'));
    dirs.push(dir);
    const out = join(dir, 'kv-bound.json');
    const run = await runCli(['bench', 'kv-bound', '--quick', '--out', out], {}, 110_000);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/rate 1: prefix\/random [\d.]+, gpu-exact\/prefix [\d.]+/);

    const record = JSON.parse(await readFile(out, 'utf8')) as {
      command: string;
      result: {
        settings: { requests: number; engines: number; numGpuBlocks: number };
        rows: Row[];
        ratios: { rateScale: number; oracleLinkVsPrefix: number }[];
        verdict: { reachable: boolean; summary: string };
        fidelity: { prefixVirtualVsReal: number };
      };
    };
    expect(record.command).toBe('infernode bench kv-bound --quick');
    const { settings, rows, ratios, verdict } = record.result;
    expect(settings).toMatchObject({ engines: 4, numGpuBlocks: 8192 });
    expect(rows.map((r) => r.mode)).toEqual([
      'random',
      'prefix',
      'gpu-exact',
      'oracle-free',
      'oracle-link',
      'oracle-l1',
    ]);
    for (const r of rows) {
      expect(r.requests).toBe(settings.requests);
      expect(r.completed + r.refused).toBe(r.requests);
      expect(r.ttftMeanMs).toBeGreaterThan(0);
      expect(r.computedShare + r.gpuHitShare + r.loadedShare).toBeCloseTo(1, 2);
      if (!r.mode.startsWith('oracle')) expect(r.loadedShare).toBe(0);
    }
    expect(rows.find((r) => r.mode === 'oracle-free')?.loads).toBe(0);
    // 60 s of the trace never fills a tier of bench kv's L1 size: bounded = unbounded here.
    const link = rows.find((r) => r.mode === 'oracle-link');
    const l1 = rows.find((r) => r.mode === 'oracle-l1');
    expect(l1?.loads).toBeGreaterThan(0);
    expect([l1?.ttftMeanMs, l1?.loadedShare]).toEqual([link?.ttftMeanMs, link?.loadedShare]);
    expect(ratios).toHaveLength(1);
    expect(typeof verdict.reachable).toBe('boolean');
    expect(verdict.summary).not.toBe('');
  });
});
