/**
 * The Redis store against a real redis-server (started here on a free port, no persistence,
 * killed after): the shared store contract, plus what only several replicas show — two clients
 * sharing one budget atomically — and the traffic policy end to end over Redis.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTrafficPolicy, trafficConfigFrom } from '../../../src/traffic/index.js';
import { RedisRateLimitStore } from '../../../src/traffic/adapters/index.js';
import { ManualClock } from '../../helpers/manual-clock.js';
import { describeRateLimitStoreContract } from '../../unit/traffic/rate-limit-store-contract.js';
import { startRedisServer, type RedisServer } from '../../helpers/redis-server.js';

let server: RedisServer;
let port = 0;
const clients: Redis[] = [];

function client(): Redis {
  const redis = new Redis({ host: '127.0.0.1', port, lazyConnect: false, maxRetriesPerRequest: 1 });
  clients.push(redis);
  return redis;
}

beforeAll(async () => {
  server = await startRedisServer();
  port = server.port;
});

afterAll(async () => {
  for (const redis of clients) redis.disconnect();
  await server.stop();
});

let n = 0;
describeRateLimitStoreContract(
  'redis',
  () => new RedisRateLimitStore({ redis: client(), commandTimeoutMs: 5_000 }),
  () => `contract:${n++}`,
);

describe('RedisRateLimitStore across replicas', () => {
  const signal = new AbortController().signal;

  it('two gateway replicas share one budget atomically', async () => {
    const a = new RedisRateLimitStore({ redis: client(), commandTimeoutMs: 5_000 });
    const b = new RedisRateLimitStore({ redis: client(), commandTimeoutMs: 5_000 });
    const charge = { key: 'shared', emissionIntervalMs: 600, burstMs: 60_000, amount: 1 };
    const outcomes = await Promise.all(
      Array.from({ length: 300 }, (_, i) =>
        (i % 2 === 0 ? a : b).reserve([charge], 1_000, { signal }),
      ),
    );
    expect(outcomes.filter((o) => o.ok)).toHaveLength(100);
  });

  it('keys expire once their budget is whole again', async () => {
    const redis = client();
    const store = new RedisRateLimitStore({ redis, keyPrefix: 'ttl:', commandTimeoutMs: 5_000 });
    await store.reserve(
      [{ key: 'k', emissionIntervalMs: 1, burstMs: 100, amount: 1 }],
      Date.now(),
      { signal },
    );
    const ttl = await redis.pttl('ttl:k');
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(1_001);
  });

  it('serves the traffic policy: reserve, 429 with Retry-After, settle refunds', async () => {
    const clock = new ManualClock();
    const store = new RedisRateLimitStore({
      redis: client(),
      keyPrefix: `policy${Date.now()}:`,
      commandTimeoutMs: 5_000,
    });
    const config = trafficConfigFrom(
      { defaultMaxTokensReservation: 1024 },
      { limits: { users: { alice: { tpm: 10_000 } } } },
    );
    const policy = createTrafficPolicy(config, { clock, store });
    const req = {
      user: 'alice',
      authorization: undefined,
      model: 'm',
      promptTokens: 1000,
      maxTokens: 4000,
    };
    const first = await policy.admit(req, { signal });
    const second = await policy.admit(req, { signal });
    expect(first.ok && second.ok).toBe(true);
    const refused = await policy.admit(req, { signal });
    expect(refused).toMatchObject({ ok: false, status: 429, retryAfterSeconds: 30 });
    // Each used 1010 of its 5000 reserved tokens: the refunds make room for another.
    if (first.ok) await first.ticket.settle({ promptTokens: 1000, completionTokens: 10 });
    if (second.ok) await second.ticket.settle({ promptTokens: 1000, completionTokens: 10 });
    expect((await policy.admit(req, { signal })).ok).toBe(true);
  });
});
