import { describe, expect, it } from 'vitest';
import {
  MemoryRateLimitStore,
  createTrafficPolicy,
  limitsWithResources,
  trafficConfigFrom,
  type ResourceLike,
} from '../../../src/traffic/index.js';
import { ManualClock } from '../../helpers/manual-clock.js';

const base = trafficConfigFrom(
  { defaultMaxTokensReservation: 1024 },
  {
    limits: { users: { alice: { rpm: 10 }, bob: { tpm: 5000 } }, models: { m: { rps: 5 } } },
    apiKeys: [{ key: 'sk-alice-0123456789', user: 'alice' }],
  },
);

const policy = (name: string, spec: unknown, kind = 'RateLimitPolicy'): ResourceLike => ({
  kind,
  metadata: { name, namespace: 'infernode' },
  spec,
});

describe('RateLimitPolicy resources', () => {
  it('lay their entries over the config file’s limits, whole per user and model', () => {
    const { config, issues } = limitsWithResources(base, [
      policy('team-a', { users: { alice: { tpm: 100 } }, defaultUser: { rpm: 3 } }),
      policy('models', { models: { m: { rps: 1 }, big: { rps: 2 } } }),
      policy('other', { users: { carol: { rpm: 1 } } }, 'KVCache'),
    ]);
    expect(issues).toEqual([]);
    expect(config.users.get('alice')).toEqual({ tpm: 100 });
    expect(config.users.get('bob')).toEqual({ tpm: 5000 });
    expect(config.users.has('carol')).toBe(false);
    expect(config.defaultUser).toEqual({ rpm: 3 });
    expect(Object.fromEntries(config.models)).toEqual({ m: { rps: 1 }, big: { rps: 2 } });
    expect(config.apiKeys).toBe(base.apiKeys);
    // The file's config is not changed in place.
    expect(base.users.get('alice')).toEqual({ rpm: 10 });
  });

  it('apply in name order, so the last name wins a user both set', () => {
    const { config } = limitsWithResources(base, [
      policy('z-late', { users: { alice: { rpm: 2 } } }),
      policy('a-early', { users: { alice: { rpm: 1 } } }),
    ]);
    expect(config.users.get('alice')).toEqual({ rpm: 2 });
  });

  it('leave an invalid resource out whole and say why, keeping the others', () => {
    const { config, issues } = limitsWithResources(base, [
      policy('broken', { users: { alice: { rpm: -1 } }, models: { m: { rps: 1 } } }),
      policy('keys', { apiKeys: [{ key: 'sk-in-a-resource', user: 'eve' }] }),
      policy('good', { users: { dave: { rpm: 4 } } }),
    ]);
    expect(config.users.get('alice')).toEqual({ rpm: 10 });
    expect(config.models.get('m')).toEqual({ rps: 5 });
    expect(config.users.get('dave')).toEqual({ rpm: 4 });
    expect(issues.map((i) => i.path)).toEqual([
      'RateLimitPolicy infernode/broken: spec.users.alice.rpm',
      'RateLimitPolicy infernode/keys: spec.apiKeys',
    ]);
  });

  it('take effect on the next request of a running policy', async () => {
    const file = trafficConfigFrom({ defaultMaxTokensReservation: 1024 }, {});
    const running = createTrafficPolicy(file, {
      clock: new ManualClock(),
      store: new MemoryRateLimitStore(),
    });
    const admit = () =>
      running.admit(
        { user: 'dave', authorization: undefined, model: 'm', promptTokens: 10, maxTokens: 10 },
        { signal: new AbortController().signal },
      );
    expect((await admit()).ok).toBe(true);
    expect((await admit()).ok).toBe(true);
    running.setLimits(
      limitsWithResources(file, [policy('tight', { users: { dave: { rpm: 1 } } })]).config,
    );
    expect((await admit()).ok).toBe(true);
    const refused = await admit();
    expect(refused.ok).toBe(false);
    if (!refused.ok) expect(refused.status).toBe(429);
  });
});
