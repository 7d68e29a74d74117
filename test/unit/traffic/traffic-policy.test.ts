import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  MemoryRateLimitStore,
  admissionErrorBody,
  createTrafficPolicy,
  trafficConfigFrom,
  type AdmissionRequest,
  type AdmissionResult,
  type RateLimitStore,
} from '../../../src/traffic/index.js';
import type { AppError } from '../../../src/shared/index.js';
import { ManualClock } from '../../helpers/manual-clock.js';

const signal = new AbortController().signal;

function setup(file: unknown, store: RateLimitStore = new MemoryRateLimitStore()) {
  const clock = new ManualClock();
  const errors: AppError[] = [];
  const policy = createTrafficPolicy(
    trafficConfigFrom({ defaultMaxTokensReservation: 1024 }, file),
    {
      clock,
      store,
      onStoreError: (err) => errors.push(err),
    },
  );
  const admit = (req: Partial<AdmissionRequest> = {}): Promise<AdmissionResult> =>
    policy.admit(
      {
        user: 'alice',
        authorization: undefined,
        model: 'm',
        promptTokens: 100,
        maxTokens: 100,
        ...req,
      },
      { signal },
    );
  return { clock, errors, admit };
}

const okTicket = (r: AdmissionResult) => {
  if (!r.ok) throw new Error(`refused: ${r.message}`);
  return r.ticket;
};

describe('traffic policy — API keys', () => {
  const file = {
    apiKeys: [
      { key: 'sk-alice-0123456789', user: 'alice' },
      { keySha256: createHash('sha256').update('sk-bob-0123456789').digest('hex'), user: 'bob' },
    ],
  };

  it.each([
    ['no header', undefined, 401],
    ['not a bearer token', 'Basic abc', 401],
    ['a wrong key', 'Bearer sk-mallory-000000', 401],
    ['a key that is a prefix of a real one', 'Bearer sk-alice-012345678', 401],
  ])('answers 401 invalid_api_key for %s', async (_name, authorization, status) => {
    const result = await setup(file).admit({ authorization });
    expect(result).toMatchObject({ ok: false, status, code: 'invalid_api_key' });
  });

  it.each([
    ['a plain key', 'Bearer sk-alice-0123456789', 'alice'],
    ['a SHA-256 configured key, any scheme case', 'bearer   sk-bob-0123456789 ', 'bob'],
  ])('maps %s to its user, whatever the user header says', async (_name, authorization, user) => {
    const result = await setup(file).admit({ authorization, user: 'someone-else' });
    expect(result).toMatchObject({ ok: true, user });
  });

  it('without configured keys, the user header identifies the user', async () => {
    expect(await setup({}).admit({ user: 'carol' })).toMatchObject({ ok: true, user: 'carol' });
  });
});

describe('traffic policy — limits', () => {
  it('limits requests per minute with Retry-After, and refunds nothing on failure', async () => {
    const { admit, clock } = setup({ limits: { users: { alice: { rpm: 3 } } } });
    for (let i = 0; i < 3; i++) expect((await admit()).ok).toBe(true);
    const refused = await admit();
    expect(refused).toMatchObject({
      ok: false,
      status: 429,
      code: 'rate_limit_exceeded',
      retryAfterSeconds: 20,
    });
    if (!refused.ok) expect(refused.message).toContain('user alice');
    clock.advance(20_000);
    expect((await admit()).ok).toBe(true);
  });

  it('reserves prompt + max_tokens at admission, so a budget is never overshot', async () => {
    const { admit } = setup({ limits: { users: { alice: { tpm: 1000 } } } });
    expect((await admit({ promptTokens: 300, maxTokens: 300 })).ok).toBe(true);
    // 600 reserved; 300 + 200 = 500 more does not fit although nothing was generated yet.
    const refused = await admit({ promptTokens: 300, maxTokens: 200 });
    expect(refused).toMatchObject({ ok: false, status: 429, retryAfterSeconds: 6 });
  });

  it('reserves 1024 output tokens when max_tokens is absent', async () => {
    const { admit } = setup({ limits: { users: { alice: { tpm: 1200 } } } });
    expect((await admit({ promptTokens: 100, maxTokens: undefined })).ok).toBe(true);
    expect((await admit({ promptTokens: 100, maxTokens: 10 })).ok).toBe(false);
  });

  it('settles with the real usage: refunds the unused reservation, once', async () => {
    const { admit } = setup({ limits: { users: { alice: { tpm: 1000 } } } });
    const ticket = okTicket(await admit({ promptTokens: 100, maxTokens: 800 }));
    expect((await admit({ promptTokens: 100, maxTokens: 200 })).ok).toBe(false);
    await ticket.settle({ promptTokens: 100, completionTokens: 50 });
    await ticket.settle({ promptTokens: 0, completionTokens: 0 }); // no-op
    expect((await admit({ promptTokens: 100, maxTokens: 700 })).ok).toBe(true);
    expect((await admit({ promptTokens: 100, maxTokens: 0 })).ok).toBe(false);
  });

  it('settle(undefined) refunds the output reservation but keeps the prompt tokens', async () => {
    const { admit } = setup({ limits: { users: { alice: { tpm: 1000 } } } });
    const ticket = okTicket(await admit({ promptTokens: 400, maxTokens: 600 }));
    await ticket.settle(undefined);
    expect((await admit({ promptTokens: 300, maxTokens: 300 })).ok).toBe(true);
    expect((await admit({ promptTokens: 1, maxTokens: 0 })).ok).toBe(false);
  });

  it('usage beyond the reservation becomes debt', async () => {
    const { admit, clock } = setup({ limits: { users: { alice: { tpm: 600 } } } });
    const ticket = okTicket(await admit({ promptTokens: 10, maxTokens: undefined }));
    await ticket.settle({ promptTokens: 10, completionTokens: 1190 }); // 1200 used: 600 over
    const refused = await admit({ promptTokens: 10, maxTokens: 0 });
    expect(refused).toMatchObject({ ok: false, retryAfterSeconds: 61 });
    clock.advance(61_000);
    expect((await admit({ promptTokens: 10, maxTokens: 0 })).ok).toBe(true);
  });

  it('refuses a request larger than the whole per-minute budget without Retry-After', async () => {
    const { admit } = setup({ limits: { users: { alice: { tpm: 1000 } } } });
    const refused = await admit({ promptTokens: 900, maxTokens: 200 });
    expect(refused).toMatchObject({ ok: false, status: 429 });
    expect(refused).not.toHaveProperty('retryAfterSeconds');
    if (!refused.ok) expect(refused.message).toContain('Request too large');
  });

  it('limits requests per second per model, for everyone', async () => {
    const { admit, clock } = setup({ limits: { models: { m: { rps: 2 } } } });
    expect((await admit({ user: undefined })).ok).toBe(true);
    expect((await admit({ user: 'bob' })).ok).toBe(true);
    const refused = await admit({ user: 'carol' });
    expect(refused).toMatchObject({ ok: false, retryAfterSeconds: 1 });
    if (!refused.ok) expect(refused.message).toContain('model m');
    expect((await admit({ model: 'other' })).ok).toBe(true);
    clock.advance(500);
    expect((await admit()).ok).toBe(true);
  });

  it('applies defaultUser to users without an entry; an entry replaces it whole', async () => {
    const { admit } = setup({
      limits: { users: { alice: { tpm: 100_000 } }, defaultUser: { rpm: 1 } },
    });
    expect((await admit({ user: 'dave' })).ok).toBe(true);
    expect((await admit({ user: 'dave' })).ok).toBe(false);
    for (let i = 0; i < 5; i++) expect((await admit({ user: 'alice' })).ok).toBe(true);
    for (let i = 0; i < 5; i++) expect((await admit({ user: undefined })).ok).toBe(true);
  });

  it('is all or nothing: a refused token charge does not use a request', async () => {
    const { admit } = setup({ limits: { users: { alice: { rpm: 2, tpm: 1000 } } } });
    expect((await admit({ promptTokens: 100, maxTokens: 800 })).ok).toBe(true);
    expect((await admit({ promptTokens: 100, maxTokens: 800 })).ok).toBe(false);
    expect((await admit({ promptTokens: 10, maxTokens: 10 })).ok).toBe(true);
  });
});

describe('traffic policy — failures', () => {
  const broken: RateLimitStore = {
    reserve: () => Promise.reject(new Error('redis down')),
    adjust: () => Promise.reject(new Error('redis down')),
  };

  it('admits when the store fails, and reports it', async () => {
    const { admit, errors } = setup({ limits: { users: { alice: { rpm: 1 } } } }, broken);
    expect((await admit()).ok).toBe(true);
    expect(errors[0]?.code).toBe('ROUTING_RATE_LIMIT_STORE_FAILED');
  });

  it('rejects with the abort reason when the client has gone and a limit applies', async () => {
    const { clock } = setup({});
    const controller = new AbortController();
    controller.abort(new Error('client closed'));
    const policy = createTrafficPolicy(
      trafficConfigFrom(
        { defaultMaxTokensReservation: 1 },
        { limits: { users: { a: { rpm: 5 } } } },
      ),
      { clock, store: new MemoryRateLimitStore() },
    );
    await expect(
      policy.admit(
        { user: 'a', authorization: undefined, model: 'm', promptTokens: 1, maxTokens: 1 },
        { signal: controller.signal },
      ),
    ).rejects.toThrow('client closed');
  });

  it('reads no signal when no limit applies, so the caller need not make one', async () => {
    const { clock } = setup({});
    const policy = createTrafficPolicy(trafficConfigFrom({ defaultMaxTokensReservation: 1 }, {}), {
      clock,
      store: new MemoryRateLimitStore(),
    });
    let reads = 0;
    const lazy = {
      get signal(): AbortSignal {
        reads++;
        return AbortSignal.abort(new Error('client closed'));
      },
    };
    const result = await policy.admit(
      { user: 'a', authorization: undefined, model: 'm', promptTokens: 1, maxTokens: 1 },
      lazy,
    );
    expect(result.ok).toBe(true);
    expect(reads).toBe(0);
  });

  it('renders the OpenAI error body', () => {
    expect(
      admissionErrorBody({
        ok: false,
        status: 429,
        code: 'rate_limit_exceeded',
        message: 'slow down',
        retryAfterSeconds: 3,
      }),
    ).toEqual({
      error: {
        message: 'slow down',
        type: 'rate_limit_error',
        code: 'rate_limit_exceeded',
        param: null,
      },
    });
    expect(
      admissionErrorBody({ ok: false, status: 401, code: 'invalid_api_key', message: 'bad key' })
        .error.type,
    ).toBe('invalid_request_error');
  });
});
