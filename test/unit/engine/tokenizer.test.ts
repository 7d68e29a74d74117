import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { countTokens, renderChatPrompt, tokenize, withTokens } from '../../../src/engine/index.js';
import { hashBlocks } from '../../../src/kvcache/index.js';

describe('stand-in tokenizer', () => {
  it('makes one token of every 4 UTF-8 bytes', () => {
    expect(tokenize('abcdefgh').length).toBe(2);
    expect(tokenize('abcdefghi').length).toBe(3);
    expect(countTokens('é'.repeat(4))).toBe(2);
    expect(tokenize('abcd')[0]).toBe(0x64636261);
  });

  it('renders growing conversations as extensions of each other', () => {
    const turn1 = [{ role: 'user', content: 'hi' }];
    const turn2 = [
      ...turn1,
      { role: 'assistant', content: 'hello' },
      { role: 'user', content: 'more' },
    ];
    const a = renderChatPrompt(turn1).replace(/<\|assistant\|>\n$/, '');
    expect(renderChatPrompt(turn2).startsWith(a)).toBe(true);
  });
});

describe('withTokens (tokens in reused memory)', () => {
  const ids = (text: string): number[] => withTokens(text, (t) => Array.from(t));

  it('gives the same ids as tokenize for any text, lone surrogates included', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (text) => {
        expect(ids(text)).toEqual(Array.from(tokenize(text)));
      }),
    );
    for (const text of ['a\ud800b', '\udc00', 'é€😀x', ''])
      expect(ids(text)).toEqual(Array.from(tokenize(text)));
  });

  it('pads the last token with zeros, not with the previous call’s bytes', () => {
    ids('abcdefgh');
    expect(ids('xyz')).toEqual([0x7a7978]);
  });

  it('handles texts past the first scratch size and past its cap', () => {
    for (const length of [20_000, 2_000_000]) {
      const text = 'é'.repeat(length);
      expect(withTokens(text, (t) => t.length)).toBe(tokenize(text).length);
      expect(withTokens(text, (t) => t[t.length - 1])).toBe(tokenize(text).at(-1));
    }
  });
});

describe('hashBlocks', () => {
  it('gives equal prefixes equal chained hashes and diverges after the first difference', () => {
    const base = 'x'.repeat(64 * 3);
    const a = hashBlocks(tokenize(base + 'A'.repeat(64)));
    const b = hashBlocks(tokenize(base + 'B'.repeat(64)));
    expect(a).toHaveLength(4);
    expect(a.slice(0, 3)).toEqual(b.slice(0, 3));
    expect(a[3]).not.toBe(b[3]);
  });

  it('chains: an equal block after a different parent hashes differently', () => {
    const a = hashBlocks(tokenize('A'.repeat(64) + 'C'.repeat(64)));
    const b = hashBlocks(tokenize('B'.repeat(64) + 'C'.repeat(64)));
    expect(a[1]).not.toBe(b[1]);
  });

  it('skips the trailing partial block and stays within 52 bits', () => {
    const hashes = hashBlocks(tokenize('y'.repeat(64 + 10)));
    expect(hashes).toHaveLength(1);
    expect(Number.isSafeInteger(hashes[0])).toBe(true);
  });
});
