import { describe, expect, it } from 'vitest';
import { EngineLoraIds, loadIdOutcome } from '../../../src/agent/engine-lora-ids.js';
import { adapterHashSeed } from '../../../src/kvcache/index.js';
import type { EngineReport } from '../../../src/protocol/index.js';

type Report = { -readonly [K in keyof EngineReport]: EngineReport[K] };
const E = 'n/e';
const up = (adapters: string[] = []): Report => ({
  id: E,
  model: 'base',
  url: 'http://e',
  ready: true,
  adapters,
  servedModels: ['base'],
});
const seed = (name: string): number => adapterHashSeed(name);

describe('loadIdOutcome (vLLM load answers → the id counter)', () => {
  it('only the name checks and a missing answer leave the counter as it was or unknown', () => {
    expect(loadIdOutcome(200, "Success: LoRA adapter 'a' added successfully.")).toBe('loaded');
    const dup = '{"error":{"message":"The lora adapter \'a\' has already been loaded."}}';
    expect(loadIdOutcome(400, dup)).toBe('refused-before-id');
    expect(loadIdOutcome(400, "Both 'lora_name' and 'lora_path' must be provided.")).toBe(
      'refused-before-id',
    );
    expect(loadIdOutcome(404, 'Loading lora a failed: No adapter found for /x')).toBe(
      'refused-after-id',
    );
    expect(loadIdOutcome(400, 'No free adapter slots.')).toBe('refused-after-id');
    expect(loadIdOutcome(502, 'bad gateway')).toBe('unknown');
    expect(loadIdOutcome(undefined, '')).toBe('unknown');
  });
});

describe('EngineLoraIds (one id map per engine)', () => {
  it('trusts a fresh engine, numbers the agent’s loads, and forgets them on a restart', () => {
    let report = up();
    const ids = new EngineLoraIds({ reports: () => [report] });
    ids.loadAnswered(E, 'a', 'loaded'); // 1
    report = up(['a']);
    ids.loadAnswered(E, 'b', 'loaded'); // 2
    report = up(['a', 'b']);
    expect(ids.seedFor(E, 1)).toBe(seed('a'));
    expect(ids.seedFor(E, 2)).toBe(seed('b'));

    // Down: nothing is named until it is seen up again.
    ids.engineRestarted(E);
    report = { ...up(), ready: false };
    expect(ids.seedFor(E, 1)).toBeUndefined();
    // Up listing no runtime adapter: it restarted, the counter starts again.
    report = up();
    ids.loadAnswered(E, 'c', 'loaded'); // 1 in the new process
    expect(ids.seedFor(E, 1)).toBe(seed('c'));
    expect(ids.seedFor(E, 2)).toBeUndefined(); // b went with the old process
  });

  it('keeps its bindings when the engine only missed health checks (still lists them)', () => {
    let report = up();
    const ids = new EngineLoraIds({ reports: () => [report] });
    ids.loadAnswered(E, 'a', 'loaded');
    report = up(['a']);
    ids.engineRestarted(E);
    expect(ids.seedFor(E, 1)).toBe(seed('a'));
    ids.loadAnswered(E, 'b', 'loaded');
    expect(ids.seedFor(E, 2)).toBe(seed('b'));
  });

  it('names nothing for an engine first seen with adapters it did not load', () => {
    const ids = new EngineLoraIds({ reports: () => [up(['foreign'])] });
    expect(ids.seedFor(E, 1)).toBeUndefined();
    ids.loadAnswered(E, 'a', 'loaded');
    expect(ids.seedFor(E, 2)).toBeUndefined();
    expect(ids.stats().unknownIds).toBe(2);
  });

  it('after a restart, an adapter loaded by someone else leaves the ids unknown', () => {
    let report = up();
    const ids = new EngineLoraIds({ reports: () => [report] });
    ids.loadAnswered(E, 'a', 'loaded');
    ids.engineRestarted(E);
    report = up(['foreign']);
    expect(ids.seedFor(E, 1)).toBeUndefined();
    ids.loadAnswered(E, 'b', 'loaded');
    expect(ids.seedFor(E, 2)).toBeUndefined();
    expect(ids.stats().counterLost).toBeGreaterThanOrEqual(1);
  });

  it('decides nothing before the engine’s models were read, nor for an engine not reported', () => {
    const ids = new EngineLoraIds({
      reports: () => [{ ...up(), servedModels: undefined }],
    });
    expect(ids.seedFor(E, 1)).toBeUndefined();
    expect(ids.seedFor('other', 1)).toBeUndefined();
    expect(ids.stats().unknownIds).toBe(2);
  });

  it('numbers static --lora-modules 1..n before any runtime load', () => {
    const ids = new EngineLoraIds({
      reports: () => [up(['s1', 's2'])],
      staticAdapters: () => ['s1', 's2'],
    });
    ids.loadAnswered(E, 'a', 'loaded');
    expect([1, 2, 3].map((id) => ids.seedFor(E, id))).toEqual([seed('s1'), seed('s2'), seed('a')]);
  });

  it('makes room from engines gone from the reports when at its bound', () => {
    let reports = [up(), { ...up(), id: 'n/f' }];
    const ids = new EngineLoraIds({ reports: () => reports, maxEngines: 1 });
    ids.loadAnswered(E, 'a', 'loaded');
    expect(ids.seedFor('n/f', 1)).toBeUndefined(); // full, E still reported
    reports = [{ ...up(), id: 'n/f' }];
    ids.loadAnswered('n/f', 'b', 'loaded');
    expect(ids.seedFor('n/f', 1)).toBe(seed('b'));
  });
});
