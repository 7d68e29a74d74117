import { describe, expect, it } from 'vitest';
import { MemoryRateLimitStore } from '../../../src/traffic/index.js';
import { describeRateLimitStoreContract } from './rate-limit-store-contract.js';

let n = 0;
describeRateLimitStoreContract(
  'memory',
  () => new MemoryRateLimitStore(),
  () => `k${n++}`,
);

describe('MemoryRateLimitStore', () => {
  it('is bounded by maxKeys', async () => {
    const store = new MemoryRateLimitStore({ maxKeys: 10 });
    const signal = new AbortController().signal;
    for (let i = 0; i < 50; i++)
      await store.reserve([{ key: `u${i}`, emissionIntervalMs: 1, burstMs: 10, amount: 1 }], 0, {
        signal,
      });
    expect(store.size).toBe(10);
  });

  it('rejects when the signal has aborted', async () => {
    const controller = new AbortController();
    controller.abort(new Error('client gone'));
    await expect(
      new MemoryRateLimitStore().reserve([], 0, { signal: controller.signal }),
    ).rejects.toThrow('client gone');
  });
});
