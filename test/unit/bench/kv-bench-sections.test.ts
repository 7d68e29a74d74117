import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  mergeKvResult,
  parseSections,
  readPreviousKvResult,
} from '../../../src/bench/kv-bench-sections.js';
import {
  kvTraceVerdict,
  selectModes,
  type KvTraceModeResult,
} from '../../../src/bench/kv-trace-modes.js';

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

describe('bench kv sections', () => {
  it('parses the section list and refuses an unknown one', () => {
    expect([...parseSections('')]).toEqual(['loopback', 'trace']);
    expect([...parseSections(' trace ')]).toEqual(['trace']);
    expect(() => parseSections('loopback,gpu')).toThrow(/unknown section "gpu"/);
  });

  it('keeps the section not run, with the command that made it (an old file included)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kv-sections-'));
    dirs.push(dir);
    const path = join(dir, 'kv.json');
    await writeFile(
      path,
      JSON.stringify({
        command: 'old loopback',
        result: { loopback: { a: 1 }, trace: null, note: 'n' },
      }),
    );
    const previous = await readPreviousKvResult(path);
    const merged = mergeKvResult(previous, { trace: { b: 2 } }, new Set(['trace']), 'new trace');
    expect(merged).toEqual({
      loopback: { a: 1 },
      trace: { b: 2 },
      note: 'n',
      commands: { loopback: 'old loopback', trace: 'new trace' },
    });
    const again = mergeKvResult(merged, { loopback: { a: 3 } }, new Set(['loopback']), 'lb2');
    expect(again.trace).toEqual({ b: 2 });
    expect(again.commands).toEqual({ loopback: 'lb2', trace: 'new trace' });
  });

  it('starts afresh from a missing or broken file, with both sections null until run', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kv-sections-'));
    dirs.push(dir);
    expect(await readPreviousKvResult(join(dir, 'absent.json'))).toEqual({});
    await writeFile(join(dir, 'bad.json'), '{not json');
    const previous = await readPreviousKvResult(join(dir, 'bad.json'));
    expect(mergeKvResult(previous, { trace: 1 }, new Set(['trace']), 'c')).toEqual({
      loopback: null,
      trace: 1,
      commands: { trace: 'c' },
    });
  });
});

const run = (mode: string, mean: number, errors = 0): KvTraceModeResult =>
  ({ mode, ttftMs: { mean }, errors, rejected: 0 }) as unknown as KvTraceModeResult;

describe('kv trace modes and verdict', () => {
  it('selects modes by name and refuses an unknown one', () => {
    expect(selectModes('').map((m) => m.name)).toEqual([
      'random',
      'approximate',
      'precise',
      'precise+l1l2',
    ]);
    expect(selectModes('precise+l1l2').map((m) => m.l1)).toEqual([true]);
    expect(() => selectModes('lru')).toThrow(/unknown trace mode/);
  });

  it('meets the goal only when (c) ≤ 0.7 × (a) and (a) beats random', () => {
    const met = kvTraceVerdict([
      run('random', 1000),
      run('approximate', 800),
      run('precise', 700),
      run('precise+l1l2', 500),
    ]);
    expect(met).toMatchObject({
      approximateVsRandom: 0.8,
      l1l2VsApproximate: 0.625,
      met: true,
      missedBy: 0,
      noFailures: true,
    });
    const missed = kvTraceVerdict([
      run('random', 1000),
      run('approximate', 800),
      run('precise+l1l2', 720, 1),
    ]);
    expect(missed).toMatchObject({
      l1l2VsApproximate: 0.9,
      met: false,
      missedBy: 0.2,
      noFailures: false,
    });
    const aLoses = kvTraceVerdict([
      run('random', 700),
      run('approximate', 800),
      run('precise+l1l2', 100),
    ]);
    expect(aLoses.met).toBe(false);
    expect(aLoses.approximateBeatsRandom).toBe(false);
  });
});
