import { describe, expect, it } from 'vitest';
import { UsageSniffer } from '../../../src/gateway/usage-sniffer.js';

describe('UsageSniffer', () => {
  it('finds usage in a JSON body', () => {
    const s = new UsageSniffer(false);
    s.feed(Buffer.from('{"choices":[],"usage":{"prompt_tokens":5,'));
    s.feed(Buffer.from('"completion_tokens":7,"prompt_tokens_details":{"cached_tokens":3}}}'));
    expect(s.usage()).toEqual({ promptTokens: 5, completionTokens: 7, cachedTokens: 3 });
  });

  it('finds usage in an SSE stream even when the event is split across chunks', () => {
    const s = new UsageSniffer(true);
    s.feed(Buffer.from('data: {"choices":[{"delta":{"content":"a"}}]}\n\n'));
    s.feed(Buffer.from('data: {"choices":[],"usage":{"prompt_'));
    s.feed(Buffer.from('tokens":9,"completion_tokens":1}}\n\ndata: [DONE]\n\n'));
    expect(s.usage()).toEqual({ promptTokens: 9, completionTokens: 1, cachedTokens: 0 });
  });

  it('reads the usage event among others in one chunk, not "usage" quoted in generated text', () => {
    const s = new UsageSniffer(true);
    const quoted = JSON.stringify({
      choices: [{ delta: { content: 'say "usage": {"prompt_tokens": 1}' } }],
    });
    s.feed(
      Buffer.from(
        `data: ${quoted}\n\ndata: {"choices":[],"usage":{"prompt_tokens":4,"completion_tokens":2}}\r\n\r\ndata: [DONE]\n\n`,
      ),
    );
    expect(s.usage()).toEqual({ promptTokens: 4, completionTokens: 2, cachedTokens: 0 });
    expect(s.chunks).toBe(1);
  });

  it('gives up on JSON bodies over its bound', () => {
    const s = new UsageSniffer(false, 10);
    s.feed(Buffer.from('{"usage":{"prompt_tokens":1,"completion_tokens":1}}'));
    expect(s.usage()).toBeUndefined();
  });
});
