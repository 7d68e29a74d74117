/**
 * `infernode bench autoscaling --quick` through the built CLI: every pattern and every strategy
 * runs, the result and chart are written with the figures the issue asks for, and
 * `--write-trace` writes a Mooncake-style trace the routing bench reads. No figure is asserted:
 * which strategy wins belongs to the benchmark's own run.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseTrace } from '../../src/bench/routing-trace.js';
import { runCli } from '../helpers/run-cli.js';

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

const tempDir = async (): Promise<string> => {
  const dir = await mkdtemp(join(tmpdir(), 'bench-autoscaling-test-'));
  dirs.push(dir);
  return dir;
};

interface Figures {
  strategy: string;
  scaleEvents: number;
  oscillations: number;
  ttft: { requests: number; served: number; meanMs: number; p99Ms: number; sloAttainment: number };
  replicaSeconds: number;
  timeToCapacityS: (number | null)[];
  vsHpa: { oscillations: number | null; replicaSeconds: number | null; p99Ttft: number | null };
  replicas: [number, number][];
}

describe('infernode bench autoscaling', () => {
  it('--quick runs every pattern under HPA, KPA, APA and SLO and writes JSON and a chart', async () => {
    const dir = await tempDir();
    const out = join(dir, 'autoscaling.json');
    const run = await runCli(
      ['bench', 'autoscaling', '--quick', '--no-prefetch', '--out', out],
      {},
      170_000,
    );
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('wrote');
    const record = JSON.parse(await readFile(out, 'utf8')) as {
      command: string;
      result: {
        settings: { duration: number; coldStartS: number };
        workloads: {
          pattern: string;
          requests: number;
          loadStepsS: number[];
          strategies: Figures[];
        }[];
        totals: { strategy: string }[];
        goal: { perStrategy: { strategy: string; met: boolean }[]; metBy: string[] };
      };
    };
    expect(record.command).toContain('bench autoscaling');
    const { settings, workloads, totals, goal } = record.result;
    expect(settings.duration).toBe(180);
    // 10 s pod start + 34 s engine init + 16.06 GB at 3.51 GiB/s.
    expect(settings.coldStartS).toBeCloseTo(48.26, 1);
    expect(workloads.map((w) => w.pattern)).toEqual([
      'quick_rising',
      'slow_rising',
      'slight_fluctuation',
      'severe_fluctuation',
      'up_and_down',
    ]);
    for (const w of workloads) {
      expect(w.requests).toBeGreaterThan(0);
      expect(w.strategies.map((s) => s.strategy)).toEqual(['HPA', 'KPA', 'APA', 'SLO']);
      for (const s of w.strategies) {
        expect(s.ttft.requests).toBe(w.requests);
        expect(s.ttft.served).toBeGreaterThan(0);
        expect(s.ttft.p99Ms).toBeGreaterThan(0);
        expect(s.ttft.sloAttainment).toBeGreaterThanOrEqual(0);
        expect(s.ttft.sloAttainment).toBeLessThanOrEqual(1);
        expect(s.replicaSeconds).toBeGreaterThanOrEqual(180); // at least one replica throughout
        expect(s.oscillations).toBeLessThanOrEqual(s.scaleEvents);
        expect(s.timeToCapacityS).toHaveLength(w.loadStepsS.length);
        expect(s.replicas[0]).toEqual([0, 1]);
      }
      expect(w.strategies[0]?.vsHpa.replicaSeconds).toBe(1);
    }
    expect(totals.map((t) => t.strategy)).toEqual(['HPA', 'KPA', 'APA', 'SLO']);
    expect(goal.perStrategy.map((g) => g.strategy)).toEqual(['KPA', 'APA', 'SLO']);
    expect(goal.metBy).toEqual(goal.perStrategy.filter((g) => g.met).map((g) => g.strategy));
    const svg = await readFile(join(dir, 'autoscaling.svg'), 'utf8');
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.match(/class="panel"/g)).toHaveLength(5);
    expect(svg.match(/class="replicas"/g)).toHaveLength(20);
  });

  it('runs each strategy again with weights prefetched, with a shorter cold start, and pairs them', async () => {
    const dir = await tempDir();
    const out = join(dir, 'autoscaling.json');
    const run = await runCli(
      [
        'bench',
        'autoscaling',
        '--quick',
        '--pattern',
        'up_and_down',
        '--strategies',
        'HPA,KPA',
        '--out',
        out,
      ],
      {},
      170_000,
    );
    expect(run.code, run.stderr).toBe(0);
    const { result } = JSON.parse(await readFile(out, 'utf8')) as {
      result: {
        settings: { coldStartS: number; prefetchedColdStartS: number };
        workloads: { strategies: Figures[] }[];
        prefetch: { strategy: string; worstP99TtftMs: { plain: number; prefetch: number } }[];
      };
    };
    // 10 s pod start + 34 s init + 16.06 GB from the node cache at 4.93 GiB/s (the S3 download,
    // 4.26 s, fits inside the pod start).
    expect(result.settings.prefetchedColdStartS).toBeCloseTo(47.03, 1);
    expect(result.settings.prefetchedColdStartS).toBeLessThan(result.settings.coldStartS);
    expect(result.workloads[0]?.strategies.map((s) => s.strategy)).toEqual([
      'HPA',
      'HPA+prefetch',
      'KPA',
      'KPA+prefetch',
    ]);
    expect(result.prefetch.map((p) => p.strategy)).toEqual(['HPA', 'KPA']);
    for (const p of result.prefetch) expect(p.worstP99TtftMs.prefetch).toBeGreaterThan(0);
  });

  it('--write-trace writes one pattern as Mooncake-style JSONL, and refuses an unknown pattern', async () => {
    const dir = await tempDir();
    const file = join(dir, 'severe.jsonl');
    const run = await runCli(
      [
        'bench',
        'autoscaling',
        '--pattern',
        'severe_fluctuation',
        '--duration',
        '60',
        '--write-trace',
        file,
      ],
      {},
      60_000,
    );
    expect(run.code, run.stderr).toBe(0);
    const entries = parseTrace(await readFile(file, 'utf8'));
    expect(entries.length).toBeGreaterThan(0);
    expect(run.stdout).toContain(`wrote ${entries.length} requests`);
    expect(entries.every((e) => e.timestampMs < 60_000 && e.hashIds.length > 0)).toBe(true);

    const bad = await runCli(
      ['bench', 'autoscaling', '--pattern', 'sawtooth', '--write-trace', file],
      {},
      60_000,
    );
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('unknown pattern "sawtooth"');
  });
});
