import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UsageSniffer } from '../../../src/gateway/usage-sniffer.js';
import {
  USAGE_TAIL_BYTES,
  tailBytes,
  usageObjectFromTail,
  usageObjectFromTailBytes,
} from '../../../src/gateway/usage-tail.js';

const usage = {
  prompt_tokens: 12,
  completion_tokens: 3,
  prompt_tokens_details: { cached_tokens: 4 },
};

function body(content: string, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    id: 'cmpl-1',
    object: 'chat.completion',
    choices: [{ index: 0, message: { role: 'assistant', content } }],
    usage,
    ...extra,
  });
}

/** Feeds `text` to a JSON-body sniffer in chunks of `size` bytes. */
function sniff(text: string, size: number, limitBytes?: number): UsageSniffer {
  const s = new UsageSniffer(false, limitBytes);
  const bytes = Buffer.from(text);
  for (let i = 0; i < bytes.length; i += size) s.feed(bytes.subarray(i, i + size));
  return s;
}

describe('usageObjectFromTail', () => {
  it('reads the last usage object, nested objects and spaces included', () => {
    const text = `{"choices":[],"usage" : {"prompt_tokens":1,"d":{"x":[1,{"y":"}"}]}} ,"z":null}`;
    expect(usageObjectFromTail(text)).toEqual({ prompt_tokens: 1, d: { x: [1, { y: '}' }] } });
  });

  it('ignores "usage" in output text, as a string value, or cut off by the end of the tail', () => {
    expect(usageObjectFromTail(body('the "usage": {"prompt_tokens": 99} field'))).toEqual(usage);
    expect(usageObjectFromTail('{"object":"usage","n":1}')).toBeUndefined();
    expect(usageObjectFromTail('{"usage":{"prompt_tokens":1,"completion_')).toBeUndefined();
    expect(usageObjectFromTail('{"usage":null}')).toBeUndefined();
  });

  it('never throws on hostile text and stays bounded in what it tries', () => {
    const many = '"usage":{'.repeat(10_000);
    expect(usageObjectFromTail(many)).toBeUndefined();
    expect(usageObjectFromTail('"usage":{"a":"\\')).toBeUndefined();
    fc.assert(
      fc.property(fc.string(), (s) => {
        const v = usageObjectFromTail(s);
        expect(v === undefined || typeof v === 'object').toBe(true);
      }),
    );
  });
});

describe('usageObjectFromTailBytes', () => {
  it('reads usage after multi-byte text, and falls back to the whole tail when the last key fails', () => {
    expect(usageObjectFromTailBytes(Buffer.from(body('héllo ✓ 日本')))).toEqual(usage);
    const lastKeyIsNoObject = `{"usage":{"prompt_tokens":5},"meta":{"usage":null}}`;
    expect(usageObjectFromTailBytes(Buffer.from(lastKeyIsNoObject))).toEqual({ prompt_tokens: 5 });
    expect(usageObjectFromTailBytes(Buffer.from('{"choices":[]}'))).toBeUndefined();
  });
});

describe('tailBytes', () => {
  it('returns the last bytes across chunk boundaries', () => {
    const chunks = ['abc', 'de', 'fghij'].map((c) => Buffer.from(c));
    expect(tailBytes(chunks, 7).toString()).toBe('defghij');
    expect(tailBytes(chunks, 3).toString()).toBe('hij');
    expect(tailBytes(chunks, 100).toString()).toBe('abcdefghij');
    expect(tailBytes([], 5).length).toBe(0);
  });
});

describe('UsageSniffer on JSON bodies (tail path)', () => {
  it('finds usage however the body is split into chunks', () => {
    const text = body('x'.repeat(3000) + ' "usage": {"prompt_tokens": 7} ');
    for (const size of [1, 7, 64, 1000, text.length])
      expect(sniff(text, size).usage()).toEqual({
        promptTokens: 12,
        completionTokens: 3,
        cachedTokens: 4,
      });
  });

  it('finds usage at the end of a body larger than the bound (only the tail is read)', () => {
    const text = body('y'.repeat(50_000));
    expect(sniff(text, 16 * 1024, 20_000).usage()).toEqual({
      promptTokens: 12,
      completionTokens: 3,
      cachedTokens: 4,
    });
  });

  it('falls back to parsing the whole body when usage is not in the tail', () => {
    const text = body('hi', { prompt_logprobs: 'z'.repeat(USAGE_TAIL_BYTES * 2) });
    expect(sniff(text, 1000).usage()).toEqual({
      promptTokens: 12,
      completionTokens: 3,
      cachedTokens: 4,
    });
  });

  it('reports no usage when the body has none or is not JSON', () => {
    expect(sniff(JSON.stringify({ choices: [] }), 5).usage()).toBeUndefined();
    expect(sniff('{"usage":{"prompt_tokens":"many"}}', 5).usage()).toBeUndefined();
    expect(sniff('not json "usage": {', 3).usage()).toBeUndefined();
  });
});
