import OpenAI from 'openai';
import { afterEach, describe, expect, it } from 'vitest';
import { startSimServer, type SimServer } from '../../../src/sim/index.js';
import { postJson } from '../../helpers/sim-http.js';

let sim: SimServer | undefined;
afterEach(async () => {
  await sim?.close();
  sim = undefined;
});

async function start(): Promise<{ sim: SimServer; client: OpenAI }> {
  sim = await startSimServer({ speed: 1000, model: 'llama-8b' });
  return { sim, client: new OpenAI({ baseURL: `${sim.url}/v1`, apiKey: 'x', maxRetries: 0 }) };
}

describe('simulator with the official openai client', () => {
  it('answers a non-streaming chat completion with usage and cached_tokens', async () => {
    const { client } = await start();
    const messages = [{ role: 'user' as const, content: 'a'.repeat(400) }];
    const first = await client.chat.completions.create({
      model: 'llama-8b',
      messages,
      max_completion_tokens: 10,
    });
    expect(first.object).toBe('chat.completion');
    expect(first.model).toBe('llama-8b');
    expect(first.choices[0]!.message.content).toMatch(/^[A-Z][a-z]+( [a-z]+)*$/);
    expect(['length', 'stop']).toContain(first.choices[0]!.finish_reason);
    const promptTokens = first.usage!.prompt_tokens;
    expect(promptTokens).toBeGreaterThan(100);
    expect(first.usage!.prompt_tokens_details?.cached_tokens).toBe(0);
    const again = await client.chat.completions.create({
      model: 'llama-8b',
      messages,
      max_completion_tokens: 10,
    });
    expect(again.choices[0]!.message.content).toBe(first.choices[0]!.message.content);
    expect(again.usage!.prompt_tokens_details?.cached_tokens).toBe(
      Math.floor((promptTokens - 1) / 16) * 16,
    );
  });

  it('streams one token per chunk, a usage chunk with empty choices, then [DONE]', async () => {
    const { client } = await start();
    const params: OpenAI.Chat.ChatCompletionCreateParamsStreaming & { ignore_eos: boolean } = {
      model: 'llama-8b',
      messages: [{ role: 'user', content: 'stream please' }],
      max_completion_tokens: 12,
      stream: true,
      stream_options: { include_usage: true },
      ignore_eos: true, // vLLM extension
    };
    const stream = await client.chat.completions.create(params);
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks[0]!.choices[0]!.delta.role).toBe('assistant');
    const tokenChunks = chunks.filter((c) => c.choices.length > 0 && c.choices[0]!.delta.content);
    expect(tokenChunks).toHaveLength(12);
    const last = chunks.at(-1)!;
    expect(last.choices).toEqual([]);
    expect(last.usage).toMatchObject({
      completion_tokens: 12,
      prompt_tokens_details: { cached_tokens: 0 },
    });
    expect(chunks.at(-2)!.choices[0]!.finish_reason).toBe('length');
  });

  it('streams text completions and stops at the model EOS without ignore_eos', async () => {
    const { sim, client } = await start();
    const stream = await client.completions.create({
      model: 'llama-8b',
      prompt: 'once upon a time',
      max_tokens: 1000,
      stream: true,
    });
    let text = '';
    let finish: string | null = null;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.text ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    expect(finish).toBe('stop');
    const plain = await postJson(sim.url, '/v1/completions', {
      prompt: 'once upon a time',
      max_tokens: 1000,
    });
    expect(plain.json.choices[0].text).toBe(text);
    expect(plain.json.choices[0].finish_reason).toBe('stop');
    expect(plain.json.usage.completion_tokens).toBeGreaterThanOrEqual(16);
  });

  it('serves deterministic embeddings in float and base64 (the SDK default)', async () => {
    const { client } = await start();
    const a = await client.embeddings.create({ model: 'llama-8b', input: 'hello' });
    const b = await client.embeddings.create({
      model: 'llama-8b',
      input: ['hello', 'world'],
      encoding_format: 'float',
    });
    expect(a.data[0]!.embedding).toHaveLength(4096);
    expect(b.data).toHaveLength(2);
    expect(a.data[0]!.embedding[5]).toBeCloseTo(b.data[0]!.embedding[5]!, 6);
    const norm = Math.hypot(...b.data[1]!.embedding);
    expect(norm).toBeCloseTo(1, 4);
  });

  it('lists the base model in vLLM’s shape and reports errors the SDK can read', async () => {
    const { client } = await start();
    const models = await client.models.list();
    expect(models.data[0]).toMatchObject({
      id: 'llama-8b',
      object: 'model',
      owned_by: 'vllm',
      root: 'llama-8b',
      parent: null,
    });
    const err = await client.chat.completions
      .create({ model: 'other', messages: [{ role: 'user', content: 'x' }] })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenAI.NotFoundError);
    expect((err as InstanceType<typeof OpenAI.NotFoundError>).message).toContain(
      'The model `other` does not exist.',
    );
  });
});
