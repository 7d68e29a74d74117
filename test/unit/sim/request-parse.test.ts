import { describe, expect, it } from 'vitest';
import { parseGeneration, type ModelResolver } from '../../../src/sim/request-parse.js';

const resolve: ModelResolver = (m) =>
  m === undefined || m === 'base'
    ? { name: 'base', lora: null, hashSeed: 0 }
    : m === 'sql'
      ? { name: 'sql', lora: 'sql', hashSeed: 1 }
      : null;
const chat = { model: 'base', messages: [{ role: 'user', content: 'hi' }] };

describe('parseGeneration', () => {
  it('accepts a chat request and defaults max_tokens to the rest of the context, as vLLM', () => {
    const g = parseGeneration('chat', chat, resolve, 1000);
    expect('status' in g).toBe(false);
    if ('status' in g) return;
    expect(g.maxTokens).toBe(1000 - g.promptTokens.length);
    expect(g.stream).toBe(false);
    expect(g.eosAfterTokens).toBeGreaterThanOrEqual(16);
  });

  it('honours ignore_eos, min_tokens, stream_options and adapter models', () => {
    const g = parseGeneration(
      'completion',
      {
        model: 'sql',
        prompt: 'x',
        max_tokens: 5,
        ignore_eos: true,
        stream: true,
        stream_options: { include_usage: true },
      },
      resolve,
      100,
    );
    if ('status' in g) throw new Error('unexpected error');
    expect(g.eosAfterTokens).toBe(Infinity);
    expect(g.includeUsage).toBe(true);
    expect(g.resolved.lora).toBe('sql');
    const m = parseGeneration('completion', { prompt: 'x', min_tokens: 300 }, resolve, 1000);
    if ('status' in m) throw new Error('unexpected error');
    expect(m.eosAfterTokens).toBe(300);
  });

  it.each([
    [{ messages: [] }, 400, 'messages'],
    [{ model: 'nope', messages: chat.messages }, 404, 'The model `nope` does not exist.'],
    [{ ...chat, n: 2 }, 400, 'n > 1'],
    [{ ...chat, max_tokens: 0 }, 400, 'max_tokens must be at least 1'],
    [
      { ...chat, stream_options: { include_usage: true } },
      400,
      'Stream options can only be defined when `stream=True`.',
    ],
    [{ ...chat, max_tokens: 5000 }, 400, "This model's maximum context length is 1000 tokens."],
    ['not an object', 400, 'JSON object'],
    [{ ...chat, kv_transfer_params: 'x' }, 400, 'kv_transfer_params must be an object'],
  ])('rejects %j with %i', (body, status, message) => {
    const g = parseGeneration('chat', body, resolve, 1000);
    expect('status' in g && g.status).toBe(status);
    if (!('status' in g)) return;
    expect(g.body.error.message).toContain(message);
    expect(g.body.error.code).toBe(status);
    expect(g.body.error.type).toBe(status === 404 ? 'NotFoundError' : 'BadRequestError');
  });

  it("reads the router's KV load hint from kv_transfer_params, ignoring other connectors' keys", () => {
    const hinted = {
      ...chat,
      kv_transfer_params: { infernode: { l1_absent_block: 3, l1_absent_hash: 77 } },
    };
    const g = parseGeneration('chat', hinted, resolve, 1000);
    if ('status' in g) throw new Error('unexpected error');
    expect(g.l1Absent).toEqual({ block: 3, hash: 77 });
    const other = { ...chat, kv_transfer_params: { do_remote_prefill: true } };
    const o = parseGeneration('chat', other, resolve, 1000);
    if ('status' in o) throw new Error('unexpected error');
    expect(o.l1Absent).toBeUndefined();
  });

  it('rejects a completion without a prompt and batched prompts', () => {
    for (const body of [{}, { prompt: ['a', 'b'] }]) {
      const g = parseGeneration('completion', body, resolve, 1000);
      expect('status' in g && g.status).toBe(400);
    }
  });
});
