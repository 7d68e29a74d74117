import { afterEach, describe, expect, it } from 'vitest';
import { startSimServer, type SimServer } from '../../../src/sim/index.js';
import { postJson } from '../../helpers/sim-http.js';

let sim: SimServer | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

describe('simulator HTTP edges', () => {
  it('answers bad input with vLLM-shaped 400/404/413, never a crash', async () => {
    sim = await startSimServer({ speed: 1000, model: 'm' });
    const badJson = await postJson(sim.url, '/v1/chat/completions', '{nope');
    expect([badJson.status, badJson.json.error.type]).toEqual([400, 'BadRequestError']);
    const noMessages = await postJson(sim.url, '/v1/chat/completions', { model: 'm' });
    expect(noMessages.status).toBe(400);
    const noPrompt = await postJson(sim.url, '/v1/completions', { model: 'm' });
    expect(noPrompt.status).toBe(400);
    const unknown = await postJson(sim.url, '/v1/completions', { model: 'zz', prompt: 'x' });
    expect(unknown.json).toEqual({
      error: {
        message: 'The model `zz` does not exist.',
        type: 'NotFoundError',
        param: null,
        code: 404,
      },
    });
    const huge = await postJson(sim.url, '/v1/completions', {
      prompt: 'a'.repeat(17 * 1024 * 1024),
    });
    expect(huge.status).toBe(413);
    const tooLong = await postJson(sim.url, '/v1/completions', {
      prompt: 'a',
      max_tokens: 10_000_000,
    });
    expect(tooLong.json.error.message).toContain(
      "This model's maximum context length is 131072 tokens.",
    );
    expect((await fetch(`${sim.url}/nope`)).status).toBe(404);
    expect((await fetch(`${sim.url}/v1/completions`)).status).toBe(405);
    expect((await fetch(`${sim.url}/health`)).status).toBe(200);
  });

  it('serves /version and /tokenize in vLLM’s shapes', async () => {
    sim = await startSimServer({ speed: 1000, maxModelLen: 4096 });
    expect(await (await fetch(`${sim.url}/version`)).json()).toEqual({ version: '0.11.0' });
    const tok = await postJson(sim.url, '/tokenize', { prompt: 'abcdefgh' });
    expect(tok.json).toEqual({
      count: 2,
      max_model_len: 4096,
      tokens: [1684234849, 1751606885],
      token_strs: null,
    });
    const chat = await postJson(sim.url, '/tokenize', {
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(chat.json.count).toBeGreaterThan(2);
  });

  it('a client that disconnects mid-stream aborts its request', async () => {
    sim = await startSimServer({ speed: 5, model: 'm' });
    const controller = new AbortController();
    const res = await fetch(`${sim.url}/v1/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ prompt: 'x', max_tokens: 1000, ignore_eos: true, stream: true }),
      signal: controller.signal,
    });
    const reader = res.body!.getReader();
    await reader.read();
    controller.abort();
    let aborted = 0;
    for (let i = 0; i < 300 && aborted === 0; i++) {
      await new Promise((r) => setTimeout(r, 10));
      const text = await (await fetch(`${sim.url}/metrics`)).text();
      aborted = Number(
        /vllm:request_success_total\{[^}]*finished_reason="abort"\} (\d+)/.exec(text)?.[1],
      );
    }
    expect(aborted).toBe(1);
  });
});
