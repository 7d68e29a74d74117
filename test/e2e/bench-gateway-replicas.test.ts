/**
 * `infernode bench gateway --replicas 1,2` at a tiny size, through the built CLI: a follower
 * gateway replica starts next to the bench cluster's leader, and the result has the replicas
 * section — throughput over 1 and 2 replicas with each replica's CPU per request, prefix
 * stickiness across replicas with the engine of every pair named, and the leader kill with its
 * failures classified and traffic on the follower after the kill. Every phase must have served
 * requests; no timing or ratio is asserted (speed belongs to the benchmark's own figures).
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

interface Stickiness {
  prompts: number;
  sameEngine: number;
  share: number;
  errors: number;
  missingEngine: number;
  enginesUsed: number;
}
interface Replicas {
  counts: number[];
  throughput: {
    directRps: number;
    ratio: number;
    points: {
      replicas: number;
      rps: number;
      perReplica: { name: string; requests?: number; cpuMsPerRequest?: number }[];
    }[];
  };
  stickiness: { crossReplica: Stickiness; sameReplica: Stickiness };
  kill: {
    requests: number;
    served: number;
    failed: number;
    failedInFlightOnKilled: number;
    failedNotReachedEngine: number;
    windows: { startS: number; byReplica: number[]; total: number }[];
    servedByFollowersAfterKill: number;
    takeover: { by: string; afterMs: number } | undefined;
  };
}

describe('infernode bench gateway --replicas', () => {
  it('measures throughput per replica count, stickiness and a leader kill', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bench-gw-replicas-test-'));
    dirs.push(dir);
    const out = join(dir, 'gateway.json');
    const prompts = 6;
    const run = await runCli(
      [
        'bench',
        'gateway',
        ...['--requests', '10', '--rounds', '1', '--warmup', '0', '--warmup-s', '0', '--rate', '0'],
        ...['--duration-s', '1', '--concurrency', '4', '--engines', '2'],
        ...['--no-stream', '--no-reference-proxy', '--replicas', '1,2'],
        ...['--stickiness-prompts', String(prompts), '--kill-duration-s', '4'],
        ...['--takeover-after-ms', '1000', '--out', out],
      ],
      {},
      280_000,
    );
    expect(run.code, run.stderr).toBe(0);
    const record = JSON.parse(await readFile(out, 'utf8')) as {
      command: string;
      result: { replicas: Replicas; targets: { target: string }[] };
    };
    expect(record.command).toContain('--replicas 1,2 --stickiness-prompts 6');
    const r = record.result.replicas;
    expect(r.counts).toEqual([1, 2]);
    expect(r.throughput.directRps).toBeGreaterThan(0);
    expect(r.throughput.points.map((p) => p.replicas)).toEqual([1, 2]);
    for (const p of r.throughput.points) {
      expect(p.rps).toBeGreaterThan(0);
      expect(p.perReplica).toHaveLength(p.replicas);
      for (const replica of p.perReplica) {
        expect(replica.requests).toBeGreaterThan(0);
        expect(replica.cpuMsPerRequest).toBeGreaterThan(0);
      }
    }
    for (const set of [r.stickiness.crossReplica, r.stickiness.sameReplica]) {
      expect(set.prompts).toBe(prompts);
      expect(set.errors).toBe(0);
      expect(set.missingEngine).toBe(0);
      expect(set.enginesUsed).toBeGreaterThan(0);
      expect(set.share).toBeCloseTo(set.sameEngine / prompts, 3);
    }
    const k = r.kill;
    expect(k.served).toBeGreaterThan(0);
    expect(k.served + k.failed).toBe(k.requests);
    expect(k.failedInFlightOnKilled + k.failedNotReachedEngine).toBe(k.failed);
    expect(k.servedByFollowersAfterKill).toBeGreaterThan(0);
    expect(k.takeover?.by).toBe('gateway-replica-1');
    // Before the kill both replicas served; after it only the follower did.
    expect(k.windows.some((w) => w.startS < 0 && (w.byReplica[0] ?? 0) > 0)).toBe(true);
    for (const w of k.windows.filter((x) => x.startS >= 1)) expect(w.byReplica[0]).toBe(0);
    expect(k.windows.some((w) => w.startS >= 0 && (w.byReplica[1] ?? 0) > 0)).toBe(true);
    const targets = record.result.targets.map((t) => t.target);
    expect(targets.filter((t) => t.startsWith('replicas: '))).toHaveLength(3);
    const md = await readFile(out.replace(/\.json$/, '.md'), 'utf8');
    expect(md).toContain('## Gateway replicas');
    expect(md).toContain('Leader kill under load');
  }, 300_000);
});
