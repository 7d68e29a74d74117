/**
 * `infernode bench weights` at a tiny size, through the built CLI (the object store is a child
 * process running the built JS): the result's structure, and the one-fetch count the scenario
 * exists to show — upstream GETs per object == parts with four engines reading at once. No
 * timings are asserted: speed belongs to the benchmark's own figures.
 */
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/run-cli.js';

const dirs: string[] = [];
afterEach(async () => {
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

const benchTempDirs = async (): Promise<string[]> =>
  (await readdir(tmpdir())).filter((name) => name.startsWith('infernode-bench-weights-'));

describe('infernode bench weights', () => {
  it('streams an 8 MiB model, fetches each part once for four engines, and writes its result', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'bench-weights-test-'));
    dirs.push(dir);
    const out = join(dir, 'weights.json');
    const before = await benchTempDirs();
    const run = await runCli(
      [
        'bench',
        'weights',
        '--size-mib',
        '8',
        '--shards',
        '2',
        '--part-mib',
        '1',
        '--rounds',
        '1',
        '--out',
        out,
      ],
      {},
      110_000,
    );
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toMatch(/upstream GETs for \d+ parts \(one fetch\)/);

    const record = JSON.parse(await readFile(out, 'utf8')) as {
      command: string;
      result: {
        throughput: {
          rounds: unknown[];
          streamerMBps: number;
          singleStreamMBps: number;
          ratio: number;
        };
        oneFetch: {
          engines: number;
          objects: { key: string; bytes: number; parts: number; upstreamGets: number }[];
          upstreamGets: number;
          parts: number;
          oneFetch: boolean;
          modelBytes: number;
          bytesPerEngine: number[];
        };
        ttfb: { coldMs: number[]; warmMs: number[] };
      };
    };
    expect(record.command).toContain(
      'infernode bench weights --size-mib 8 --shards 2 --part-mib 1',
    );
    const { throughput, oneFetch, ttfb } = record.result;
    expect(throughput.rounds).toHaveLength(1);
    expect(throughput.streamerMBps).toBeGreaterThan(0);
    expect(throughput.singleStreamMBps).toBeGreaterThan(0);
    // config.json (one part) and two 4 MiB shards of 1 MiB parts.
    expect(oneFetch.engines).toBe(4);
    expect(oneFetch.objects.map((o) => [o.key, o.parts])).toEqual([
      ['bench/config.json', 1],
      ['bench/model-00001-of-00002.safetensors', 4],
      ['bench/model-00002-of-00002.safetensors', 4],
    ]);
    for (const object of oneFetch.objects) expect(object.upstreamGets).toBe(object.parts);
    expect(oneFetch.upstreamGets).toBe(9);
    expect(oneFetch.oneFetch).toBe(true);
    expect(oneFetch.bytesPerEngine).toEqual([1, 2, 3, 4].map(() => oneFetch.modelBytes));
    expect(ttfb.coldMs).toHaveLength(1);
    expect(ttfb.warmMs).toHaveLength(1);
    // Its temp directory (store and caches) is gone.
    expect((await benchTempDirs()).filter((d) => !before.includes(d))).toEqual([]);
  });
});
