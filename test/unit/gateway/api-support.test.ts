import { describe, expect, it } from 'vitest';
import { ApiSupport, isUnsupportedAnswer } from '../../../src/gateway/index.js';

describe('ApiSupport', () => {
  it.each([
    [501, '', true],
    [405, '{"detail":"Method Not Allowed"}', true],
    [404, '{"detail":"Not Found"}', true],
    [404, '{"object":"error","message":"The model `x` does not exist."}', false],
    [400, '{"detail":"Not Found"}', false],
    [500, '', false],
  ])('status %i with %s means not served: %s', (status, body, expected) => {
    expect(isUnsupportedAnswer(status, body)).toBe(expected);
  });

  it('remembers per engine and endpoint kind until the TTL passes', () => {
    const support = new ApiSupport({ ttlMs: 1000 });
    support.learnUnsupported('e1', 'embeddings', 0);
    expect(support.isUnsupported('e1', 'embeddings', 999)).toBe(true);
    expect(support.isUnsupported('e1', 'chat', 999)).toBe(false);
    expect(support.isUnsupported('e2', 'embeddings', 999)).toBe(false);
    expect(support.isUnsupported('e1', 'embeddings', 1000)).toBe(false);
  });

  it('is bounded', () => {
    const support = new ApiSupport({ maxEntries: 2 });
    for (const id of ['a', 'b', 'c']) support.learnUnsupported(id, 'chat', 0);
    expect(support.isUnsupported('a', 'chat', 1)).toBe(false);
    expect(support.isUnsupported('c', 'chat', 1)).toBe(true);
  });
});
