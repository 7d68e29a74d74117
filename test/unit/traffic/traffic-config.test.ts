import { describe, expect, it } from 'vitest';
import {
  ApiKeyTable,
  MemoryRateLimitStore,
  apiKeyDigest,
  parseTrafficLimits,
  trafficConfigFrom,
} from '../../../src/traffic/index.js';
import { createRateLimitStore } from '../../../src/traffic/adapters/index.js';
import { AppError, ConfigError } from '../../../src/shared/index.js';

describe('traffic config', () => {
  it('parses limits and keys', () => {
    const parsed = parseTrafficLimits({
      limits: {
        users: { alice: { rpm: 60, tpm: 1000 } },
        defaultUser: { rpm: 10 },
        models: { m: { rps: 0.5 } },
      },
      apiKeys: [{ key: 'sk-0123456789', user: 'alice' }],
    });
    expect(parsed.ok).toBe(true);
    if (parsed.ok) {
      expect(parsed.value.users.get('alice')).toEqual({ rpm: 60, tpm: 1000 });
      expect(parsed.value.defaultUser).toEqual({ rpm: 10 });
      expect(parsed.value.models.get('m')).toEqual({ rps: 0.5 });
      expect(new ApiKeyTable(parsed.value.apiKeys).userOf('sk-0123456789')).toBe('alice');
    }
  });

  it('reports every problem at once, with paths', () => {
    const parsed = parseTrafficLimits({
      limits: { users: { alice: { rpm: -1, tmp: 5 } }, models: { m: 'fast' }, extra: 1 },
      apiKeys: [
        { key: 'short', user: 'a' },
        { keySha256: 'zz', user: 'b' },
        { user: '' },
        { key: 'sk-0123456789', keySha256: 'a'.repeat(64), user: 'c' },
      ],
    });
    expect(parsed.ok).toBe(false);
    if (!parsed.ok)
      expect(parsed.issues.map((i) => i.path)).toEqual([
        'limits.extra',
        'limits.users.alice.rpm',
        'limits.users.alice.tmp',
        'limits.models.m',
        'apiKeys[0]',
        'apiKeys[1]',
        'apiKeys[2]',
        'apiKeys[3]',
      ]);
    expect(() => trafficConfigFrom({ defaultMaxTokensReservation: 1 }, { limits: 3 })).toThrow(
      ConfigError,
    );
  });

  it('accepts a file without the sections (no limits, no keys)', () => {
    const config = trafficConfigFrom({ defaultMaxTokensReservation: 1024 }, undefined);
    expect(config.users.size + config.models.size + config.apiKeys.length).toBe(0);
  });

  it('compares keys by digest', () => {
    const table = new ApiKeyTable([{ digest: apiKeyDigest('sk-one-000000'), user: 'one' }]);
    expect(table.isEnabled).toBe(true);
    expect(table.userOf('sk-one-000000')).toBe('one');
    expect(table.userOf('sk-one-00000')).toBeUndefined();
    expect(new ApiKeyTable([]).isEnabled).toBe(false);
  });
});

describe('createRateLimitStore', () => {
  const knobs = {
    store: 'memory',
    memoryMaxKeys: 5,
    redisKeyPrefix: 'p:',
    redisCommandTimeoutMs: 10,
  };
  it('builds the memory store by default and refuses redis without a client', () => {
    expect(createRateLimitStore(knobs)).toBeInstanceOf(MemoryRateLimitStore);
    expect(() => createRateLimitStore({ ...knobs, store: 'redis' })).toThrow(AppError);
  });
});
