import { describe, expect, it } from 'vitest';
import {
  MemoryRateLimitStore,
  createTrafficPolicy,
  trafficConfigFrom,
} from '../../../src/traffic/index.js';
import { ManualClock } from '../../helpers/manual-clock.js';

const policy = (file: unknown) =>
  createTrafficPolicy(trafficConfigFrom({ defaultMaxTokensReservation: 64 }, file), {
    clock: new ManualClock(),
    store: new MemoryRateLimitStore(),
  });

describe('traffic policy — authenticate (the key from the headers alone)', () => {
  const withKeys = policy({ apiKeys: [{ key: 'sk-alice-0123456789', user: 'alice' }] });

  it.each([
    ['no header', undefined],
    ['not a bearer token', 'Basic abc'],
    ['a wrong key', 'Bearer sk-mallory-000000'],
  ])('refuses %s with 401 invalid_api_key', (_, authorization) => {
    expect(withKeys.authenticate(authorization)).toMatchObject({
      ok: false,
      status: 401,
      code: 'invalid_api_key',
    });
  });

  it('passes a configured key', () => {
    expect(withKeys.authenticate('Bearer sk-alice-0123456789')).toEqual({ ok: true });
  });

  it('passes everything when no keys are configured', () => {
    expect(policy({}).authenticate(undefined)).toEqual({ ok: true });
  });
});
