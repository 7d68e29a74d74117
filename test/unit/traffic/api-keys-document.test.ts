import { describe, expect, it } from 'vitest';
import { apiKeysFromSecretData, withApiKeysDocument } from '../../../src/traffic/index.js';
import {
  MemoryRateLimitStore,
  apiKeyDigest,
  createTrafficPolicy,
  parseApiKeysDocument,
  trafficConfigFrom,
  type AdmissionResult,
} from '../../../src/traffic/index.js';
import { ManualClock } from '../../helpers/manual-clock.js';

const signal = new AbortController().signal;
const fileConfig = trafficConfigFrom(
  { defaultMaxTokensReservation: 16 },
  {
    apiKeys: [{ key: 'sk-file-0123', user: 'ops' }],
    limits: { users: { alice: { rpm: 100 }, ops: { rpm: 5 } }, models: { m: { rps: 9 } } },
  },
);

describe('API keys document (the Secret’s keys.yaml)', () => {
  it('has the config file’s apiKeys and limits sections, and nothing else', () => {
    const ok = parseApiKeysDocument(
      'apiKeys:\n  - { key: sk-alice-1, user: alice }\nlimits:\n  users: { alice: { rpm: 2 } }\n',
    );
    expect(ok.ok && ok.value.apiKeys.map((k) => k.user)).toEqual(['alice']);
    const stray = parseApiKeysDocument('apiKey: []\n');
    expect(stray.ok ? [] : stray.issues.map((i) => i.path)).toEqual(['apiKey']);
    const shortKey = parseApiKeysDocument('apiKeys: [{ key: short, user: a }]\n');
    expect(shortKey.ok).toBe(false);
    expect(parseApiKeysDocument('apiKeys: [ {').ok).toBe(false);
    expect(parseApiKeysDocument('- a list\n').ok).toBe(false);
  });

  it('reads a Secret’s data: none means no keys, a Secret without keys.yaml is a problem', () => {
    expect(apiKeysFromSecretData(undefined)).toEqual({ ok: true, value: undefined });
    expect(apiKeysFromSecretData({ other: 'x' }).ok).toBe(false);
    expect(apiKeysFromSecretData({ 'keys.yaml': 'apiKeys: []\n' }).ok).toBe(true);
  });

  it('lays its keys beside the file’s and its limits over them, entry by entry', () => {
    const doc = parseApiKeysDocument(
      'apiKeys:\n  - { key: sk-alice-1, user: alice }\nlimits:\n  users: { alice: { rpm: 2 } }\n',
    );
    if (!doc.ok) throw new Error('document did not parse');
    const merged = withApiKeysDocument(fileConfig, doc.value);
    expect(merged.apiKeys.map((k) => k.user)).toEqual(['ops', 'alice']);
    expect(merged.users.get('alice')).toEqual({ rpm: 2 });
    expect(merged.users.get('ops')).toEqual({ rpm: 5 });
    expect(merged.models.get('m')).toEqual({ rps: 9 });
    expect(withApiKeysDocument(fileConfig, undefined)).toBe(fileConfig);
  });
});

describe('traffic policy — required and replaceable keys', () => {
  const admitWith = (
    policy: ReturnType<typeof createTrafficPolicy>,
    key?: string,
  ): Promise<AdmissionResult> =>
    policy.admit(
      {
        user: 'someone',
        authorization: key === undefined ? undefined : `Bearer ${key}`,
        model: 'm',
        promptTokens: 1,
        maxTokens: 1,
      },
      { signal },
    );
  const noKeys = trafficConfigFrom({ defaultMaxTokensReservation: 16 }, {});

  it('refuses every request while no key is configured when keys are required', async () => {
    const deps = { clock: new ManualClock(), store: new MemoryRateLimitStore() };
    const closed = createTrafficPolicy(noKeys, { ...deps, requireApiKeys: true });
    expect(await admitWith(closed)).toMatchObject({ ok: false, status: 401 });
    const open = createTrafficPolicy(noKeys, deps);
    expect(await admitWith(open)).toMatchObject({ ok: true, user: 'someone' });
  });

  it('replaces keys while running and keeps the user’s counters', async () => {
    const policy = createTrafficPolicy(
      trafficConfigFrom(
        { defaultMaxTokensReservation: 16 },
        {
          apiKeys: [{ key: 'sk-alice-1', user: 'alice' }],
          limits: { users: { alice: { rpm: 2 } } },
        },
      ),
      { clock: new ManualClock(), store: new MemoryRateLimitStore(), requireApiKeys: true },
    );
    expect(await admitWith(policy, 'sk-alice-1')).toMatchObject({ ok: true, user: 'alice' });
    policy.setApiKeys([{ digest: apiKeyDigest('sk-alice-2'), user: 'alice' }]);
    expect(await admitWith(policy, 'sk-alice-1')).toMatchObject({ ok: false, status: 401 });
    expect(await admitWith(policy, 'sk-alice-2')).toMatchObject({ ok: true, user: 'alice' });
    expect(await admitWith(policy, 'sk-alice-2')).toMatchObject({ ok: false, status: 429 });
    policy.setApiKeys([]);
    expect(await admitWith(policy, 'sk-alice-2')).toMatchObject({ ok: false, status: 401 });
  });
});
