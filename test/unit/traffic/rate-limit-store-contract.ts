/**
 * The behaviour every RateLimitStore shows (memory in unit tests, Redis against a real
 * redis-server in integration tests): GCRA admission, all-or-nothing reservations, exact
 * Retry-After, refunds that never exceed the full budget, and debt.
 */
import { describe, expect, it } from 'vitest';
import type { GcraCharge, RateLimitStore } from '../../../src/traffic/index.js';

const T0 = 1_700_000_000_000;
const signal = new AbortController().signal;
/** A limit of `limit` per minute. */
const perMinute = (key: string, limit: number, amount = 1): GcraCharge => ({
  key,
  emissionIntervalMs: 60_000 / limit,
  burstMs: 60_000,
  amount,
});

export function describeRateLimitStoreContract(
  name: string,
  makeStore: () => RateLimitStore,
  uniqueKey: () => string,
): void {
  describe(`${name} rate-limit store contract`, () => {
    it('admits a full window at once, then refuses with the time to the next unit', async () => {
      const store = makeStore();
      const key = uniqueKey();
      for (let i = 0; i < 60; i++)
        expect(await store.reserve([perMinute(key, 60)], T0, { signal })).toEqual({ ok: true });
      expect(await store.reserve([perMinute(key, 60)], T0, { signal })).toEqual({
        ok: false,
        index: 0,
        retryAfterMs: 1000,
      });
      expect(await store.reserve([perMinute(key, 60)], T0 + 1000, { signal })).toEqual({
        ok: true,
      });
    });

    it('is all or nothing across limits', async () => {
      const store = makeStore();
      const [a, b] = [uniqueKey(), uniqueKey()];
      expect(
        await store.reserve([perMinute(a, 10), perMinute(b, 100, 100)], T0, { signal }),
      ).toEqual({ ok: true });
      const refused = await store.reserve([perMinute(a, 10), perMinute(b, 100, 50)], T0, {
        signal,
      });
      expect(refused).toEqual({ ok: false, index: 1, retryAfterMs: 30_000 });
      // `a` was not charged by the refused call: 9 more fit.
      for (let i = 0; i < 9; i++)
        expect((await store.reserve([perMinute(a, 10)], T0, { signal })).ok).toBe(true);
      expect((await store.reserve([perMinute(a, 10)], T0, { signal })).ok).toBe(false);
    });

    it('never admits a charge larger than the window, and says so', async () => {
      const store = makeStore();
      const outcome = await store.reserve([perMinute(uniqueKey(), 100, 101)], T0, { signal });
      expect(outcome).toEqual({ ok: false, index: 0, retryAfterMs: Infinity });
    });

    it('refunds move the budget back, never beyond a full window', async () => {
      const store = makeStore();
      const key = uniqueKey();
      const c = perMinute(key, 1000, 1000);
      expect((await store.reserve([c], T0, { signal })).ok).toBe(true);
      expect((await store.reserve([perMinute(key, 1000, 1)], T0, { signal })).ok).toBe(false);
      await store.adjust(key, c.emissionIntervalMs, -400, T0);
      expect((await store.reserve([perMinute(key, 1000, 400)], T0, { signal })).ok).toBe(true);
      expect((await store.reserve([perMinute(key, 1000, 1)], T0, { signal })).ok).toBe(false);
      await store.adjust(key, c.emissionIntervalMs, -5000, T0);
      expect((await store.reserve([perMinute(key, 1000, 1000)], T0, { signal })).ok).toBe(true);
      expect((await store.reserve([perMinute(key, 1000, 1)], T0, { signal })).ok).toBe(false);
    });

    it('charges past the window become debt that later requests wait out', async () => {
      const store = makeStore();
      const key = uniqueKey();
      expect((await store.reserve([perMinute(key, 600, 600)], T0, { signal })).ok).toBe(true);
      await store.adjust(key, 100, 300, T0);
      const refused = await store.reserve([perMinute(key, 600, 1)], T0, { signal });
      expect(refused).toEqual({ ok: false, index: 0, retryAfterMs: 30_100 });
      expect((await store.reserve([perMinute(key, 600, 1)], T0 + 30_100, { signal })).ok).toBe(
        true,
      );
    });

    it('a refund on an idle key changes nothing', async () => {
      const store = makeStore();
      const key = uniqueKey();
      await store.adjust(key, 60, -1000, T0);
      for (let i = 0; i < 10; i++)
        expect((await store.reserve([perMinute(key, 10)], T0, { signal })).ok).toBe(true);
      expect((await store.reserve([perMinute(key, 10)], T0, { signal })).ok).toBe(false);
    });
  });
}
