import { describe, expect, it } from 'vitest';
import {
  LORA_RETRY,
  adapterFatalAttempt,
  loraRetryDelayMs,
  recordAttempt,
  type EngineAttempt,
} from '../../../src/lora/index.js';

const NOW = 50_000;

function fail(code: string, message = 'boom') {
  return { ok: false as const, code, message };
}

describe('loraRetryDelayMs', () => {
  it.each([
    [0, 0],
    [1, 5_000],
    [2, 10_000],
    [3, 20_000],
    [4, 40_000],
    [5, 80_000],
    [6, 160_000],
    [7, 300_000],
    [20, 300_000],
  ])('after %i failures waits %i ms (5·2^n s, capped at 300 s)', (failures, want) => {
    expect(loraRetryDelayMs(failures)).toBe(want);
  });

  it('is AIBrix schedule: 5 tries, 5 s base, 300 s cap', () => {
    expect(LORA_RETRY).toEqual({ maxTries: 5, baseMs: 5_000, capMs: 300_000 });
  });
});

describe('recordAttempt', () => {
  it('counts a retriable failure and schedules the next try, without changing its input', () => {
    const before = new Map<string, EngineAttempt>();
    const after = recordAttempt(before, 'e1', fail('LORA_ENGINE_UNAVAILABLE', 'timeout'), NOW);
    expect(before.size).toBe(0);
    expect(after.get('e1')).toEqual({
      engineId: 'e1',
      failures: 1,
      retryAtMs: NOW + 5_000,
      lastError: { code: 'LORA_ENGINE_UNAVAILABLE', message: 'timeout', atMs: NOW },
      givenUp: false,
    });
  });

  it('gives up on the engine after the fifth failure, doubling the wait before', () => {
    let attempts: ReadonlyMap<string, EngineAttempt> = new Map();
    const waits: number[] = [];
    for (let i = 0; i < LORA_RETRY.maxTries; i++) {
      const now = NOW + i * 1_000_000;
      attempts = recordAttempt(attempts, 'e1', fail('LORA_ARTIFACT_FAILED'), now);
      waits.push((attempts.get('e1')?.retryAtMs ?? 0) - now);
      expect(attempts.get('e1')?.givenUp).toBe(i === LORA_RETRY.maxTries - 1);
    }
    expect(waits).toEqual([5_000, 10_000, 20_000, 40_000, 80_000]);
    expect(attempts.get('e1')?.failures).toBe(5);
  });

  it('follows a given schedule: its base, cap and number of tries', () => {
    const schedule = { maxTries: 3, baseMs: 50, capMs: 150 };
    let attempts: ReadonlyMap<string, EngineAttempt> = new Map();
    const waits: number[] = [];
    const givenUp: boolean[] = [];
    for (let i = 0; i < 3; i++) {
      attempts = recordAttempt(attempts, 'e1', fail('LORA_ENGINE_UNAVAILABLE'), NOW, schedule);
      waits.push((attempts.get('e1')?.retryAtMs ?? 0) - NOW);
      givenUp.push(attempts.get('e1')?.givenUp ?? false);
    }
    expect(waits).toEqual([50, 100, 150]);
    expect(givenUp).toEqual([false, false, true]);
  });

  it('success clears the engine and leaves the others', () => {
    let attempts = recordAttempt(new Map(), 'e1', fail('LORA_NOT_VISIBLE'), NOW);
    attempts = recordAttempt(attempts, 'e2', fail('LORA_NOT_VISIBLE'), NOW);
    attempts = recordAttempt(attempts, 'e1', { ok: true }, NOW + 6_000);
    expect([...attempts.keys()]).toEqual(['e2']);
  });

  it.each(['LORA_RANK_TOO_HIGH', 'LORA_ENGINE_REFUSED', 'LORA_BAD_ADAPTER', 'LORA_TOO_LARGE'])(
    '%s gives up on the engine at the first failure',
    (code) => {
      const attempts = recordAttempt(new Map(), 'e1', fail(code), NOW);
      expect(attempts.get('e1')).toMatchObject({ failures: 1, givenUp: true });
    },
  );

  it('LORA_NO_SLOT never gives up on the engine but backs off and marks it full', () => {
    let attempts = recordAttempt(new Map(), 'e1', fail('LORA_NO_SLOT'), NOW);
    for (let i = 1; i < LORA_RETRY.maxTries + 2; i += 1)
      attempts = recordAttempt(attempts, 'e1', fail('LORA_NO_SLOT'), NOW);
    expect(attempts.get('e1')).toMatchObject({
      failures: LORA_RETRY.maxTries + 2,
      givenUp: false,
      noSlot: true,
      retryAtMs: NOW + LORA_RETRY.capMs,
    });
    expect(adapterFatalAttempt(attempts)).toBeUndefined();
  });

  it.each([
    ['LORA_BAD_ADAPTER', true],
    ['LORA_TOO_LARGE', true],
    ['LORA_RANK_TOO_HIGH', false],
    ['LORA_ENGINE_REFUSED', false],
    ['LORA_ARTIFACT_FAILED', false],
  ])('%s proves the adapter bad everywhere: %s', (code, bad) => {
    const attempts = recordAttempt(new Map(), 'e1', fail(code), NOW);
    expect(adapterFatalAttempt(attempts)?.engineId).toBe(bad ? 'e1' : undefined);
  });
});
