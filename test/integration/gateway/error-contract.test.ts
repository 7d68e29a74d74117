import { afterEach, describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import {
  FixedCatalog,
  anEngine,
  startGateway,
  type Harness,
} from '../../helpers/gateway-harness.js';
import { startEngineFixture, type EngineFixture } from '../../helpers/engine-fixture.js';

let fixtures: EngineFixture[] = [];
let gw: Harness | undefined;
afterEach(async () => {
  await gw?.stop();
  await Promise.all(fixtures.map((f) => f.close()));
  fixtures = [];
  gw = undefined;
});

const VLLM_500 = JSON.stringify({
  object: 'error',
  message: 'CUDA out of memory',
  type: 'InternalServerError',
  param: null,
  code: 500,
});
const VLLM_400 = JSON.stringify({
  object: 'error',
  message: "This model's maximum context length is 2048 tokens",
  type: 'BadRequestError',
  param: null,
  code: 400,
});

async function engines(status: number, body: string, n = 2): Promise<OpenAI> {
  for (let i = 0; i < n; i++)
    fixtures.push(
      await startEngineFixture({ knobs: { inferenceStatus: status, inferenceBody: body } }),
    );
  gw = await startGateway(new FixedCatalog(fixtures.map((f, i) => anEngine(`e${i}`, f.url))));
  return new OpenAI({ baseURL: `${gw.url}/v1`, apiKey: 'unused', maxRetries: 0 });
}

const ask = { model: 'm', messages: [{ role: 'user' as const, content: 'hi' }] };

describe('gateway error contract', () => {
  it.each([false, true])(
    'every engine answering 5xx gives 502 gw_upstream_error, not the engine body (stream %s)',
    async (stream) => {
      const client = await engines(500, VLLM_500);
      const err = await client.chat.completions.create({ ...ask, stream }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(OpenAI.APIError);
      const apiError = err as InstanceType<typeof OpenAI.APIError>;
      expect(apiError.status).toBe(502);
      expect(apiError.code).toBe('gw_upstream_error');
      expect(apiError.type).toBe('api_error');
      expect(apiError.message).toContain('answered 500: CUDA out of memory');
      // Both engines were tried (one retry on another engine).
      expect(fixtures.every((f) => f.received.some((r) => r.path === '/v1/chat/completions'))).toBe(
        true,
      );
    },
  );

  it.each([false, true])(
    "passes an engine's 4xx through with its status and message, OpenAI-shaped (stream %s)",
    async (stream) => {
      const client = await engines(400, VLLM_400, 1);
      const err = await client.chat.completions.create({ ...ask, stream }).then(
        () => undefined,
        (e: unknown) => e,
      );
      const apiError = err as InstanceType<typeof OpenAI.APIError>;
      expect(apiError).toBeInstanceOf(OpenAI.BadRequestError);
      expect(apiError.status).toBe(400);
      expect(apiError.type).toBe('invalid_request_error');
      expect(apiError.message).toContain('maximum context length is 2048 tokens');
    },
  );
});
