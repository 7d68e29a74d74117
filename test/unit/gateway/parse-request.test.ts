import { describe, expect, it } from 'vitest';
import { parseRequest } from '../../../src/gateway/parse-request.js';
import { AppError } from '../../../src/shared/index.js';

const body = (v: unknown): Buffer => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v));

describe('parseRequest', () => {
  it('reads model, stream, usage option, prompt and max tokens of a chat request', () => {
    const p = parseRequest(
      'chat',
      body({
        model: 'm',
        stream: true,
        stream_options: { include_usage: true },
        max_tokens: 7,
        messages: [{ role: 'user', content: 'hello' }],
      }),
    );
    expect(p).toMatchObject({ model: 'm', stream: true, includeUsage: true, maxTokens: 7 });
    expect(p.promptText).toContain('hello');
    expect(p.promptTokens).toBeGreaterThan(1);
  });

  it('reads completions prompts and embeddings inputs', () => {
    expect(parseRequest('completions', body({ model: 'm', prompt: 'abc' })).promptText).toBe('abc');
    expect(parseRequest('embeddings', body({ model: 'm', input: ['a', 'b'] })).promptText).toBe(
      'a\nb',
    );
  });

  it.each([
    ['{not json', /not valid JSON/],
    ['[1,2]', /JSON object/],
    [{ messages: [{ role: 'user', content: 'x' }] }, /model is required/],
    [{ model: 'm' }, /messages must be a non-empty array/],
    [{ model: 'm', messages: [] }, /messages must be a non-empty array/],
    [{ model: 'm', messages: [{ content: 'x' }] }, /role/],
    [{ model: 'm', messages: [{ role: 'user', content: 'x' }], max_tokens: 0 }, /max_tokens/],
    [
      { model: 'm', messages: [{ role: 'user', content: 'x' }], stream: 'yes' },
      /stream must be a boolean/,
    ],
  ])('rejects %j with a 400', (input, message) => {
    let caught: unknown;
    try {
      parseRequest('chat', body(input));
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(AppError);
    expect((caught as AppError).httpStatus).toBe(400);
    expect((caught as AppError).message).toMatch(message);
  });
});
