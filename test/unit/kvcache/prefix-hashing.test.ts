import { describe, expect, it } from 'vitest';
import { tokenize, tokenizeBytes } from '../../../src/engine/index.js';
import { hashBlocks, promptBlockHashes } from '../../../src/kvcache/index.js';
import { SeededRng } from '../../../src/shared/index.js';

/** The tokenizer and block hash as first written (DataView reads, mix() calls): the reference. */
function referenceTokenize(text: string): Uint32Array {
  const bytes = new TextEncoder().encode(text);
  const count = Math.ceil(bytes.length / 4);
  const padded = new Uint8Array(count * 4);
  padded.set(bytes);
  const view = new DataView(padded.buffer);
  const tokens = new Uint32Array(count);
  for (let i = 0; i < count; i++) tokens[i] = view.getUint32(i * 4, true);
  return tokens;
}
function mix(h: number, k: number): number {
  k = Math.imul(k, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, 0x1b873593);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}
function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}
function referenceHashBlocks(tokens: Uint32Array, blockSize: number, seed = 0): number[] {
  const out: number[] = [];
  let parent = 0;
  for (let s = 0; s + blockSize <= tokens.length; s += blockSize) {
    let a = mix(seed ^ 0x9747b28c, parent % 0x100000000);
    let b = mix(seed ^ 0x5bd1e995, Math.floor(parent / 0x100000000));
    for (let i = s; i < s + blockSize; i++) {
      a = mix(a, tokens[i]!);
      b = mix(b, tokens[i]! ^ 0x27d4eb2f);
    }
    parent = fmix(a ^ blockSize) * 0x100000 + (fmix(b ^ blockSize) >>> 12);
    out.push(parent);
  }
  return out;
}

function randomText(rng: SeededRng, length: number): string {
  const alphabet = ['a', 'b', ' ', 'é', '€', '𝄞', '\n', 'z', '9'];
  let out = '';
  for (let i = 0; i < length; i++) out += alphabet[Math.floor(rng.next() * alphabet.length)] ?? '';
  return out;
}

describe('stand-in tokenizer and block hash (fast paths keep the outputs)', () => {
  it.each([0, 1, 3, 4, 5, 16, 63, 64, 65, 1000])(
    'tokenize matches the reference at %d chars',
    (n) => {
      const rng = new SeededRng(n + 1);
      for (let k = 0; k < 20; k++) {
        const text = randomText(rng, n);
        expect(tokenize(text)).toEqual(referenceTokenize(text));
        expect(tokenizeBytes(new TextEncoder().encode(text))).toEqual(referenceTokenize(text));
      }
    },
  );

  it('tokenizeBytes handles unaligned views', () => {
    const bytes = new TextEncoder().encode('xabcdefgh');
    expect(tokenizeBytes(bytes.subarray(1))).toEqual(referenceTokenize('abcdefgh'));
  });

  it.each([1, 4, 16, 64])('hashBlocks matches the reference with %d-token blocks', (blockSize) => {
    const rng = new SeededRng(blockSize);
    const tokens = referenceTokenize(randomText(rng, 5_000));
    expect(hashBlocks(tokens, blockSize)).toEqual(referenceHashBlocks(tokens, blockSize));
    expect(hashBlocks(tokens, blockSize, 12345)).toEqual(
      referenceHashBlocks(tokens, blockSize, 12345),
    );
  });
});

describe('promptBlockHashes', () => {
  it('hashes the full blocks of the stand-in tokens', () => {
    const text = 'x'.repeat(64 * 3 + 10);
    expect(promptBlockHashes(text, 16, 100)).toEqual(hashBlocks(tokenize(text), 16));
    expect(promptBlockHashes(text, 16, 100)).toHaveLength(3);
  });

  it('hashes at most maxBlocks blocks, the same as the head of the full chain', () => {
    const text = 'prefix '.repeat(2_000);
    const all = hashBlocks(tokenize(text), 16);
    expect(promptBlockHashes(text, 16, 10)).toEqual(all.slice(0, 10));
    expect(promptBlockHashes(`${'é'.repeat(1_000)}${text}`, 16, 10)).toHaveLength(10);
  });

  it('seeds by adapter, so adapters never share blocks', () => {
    const text = 'y'.repeat(256);
    const base = promptBlockHashes(text, 16, 100);
    const a = promptBlockHashes(text, 16, 100, 'a');
    expect(a).not.toEqual(base);
    expect(promptBlockHashes(text, 16, 100, 'a')).toEqual(a);
    expect(promptBlockHashes(text, 16, 100, 'b')).not.toEqual(a);
  });
});
