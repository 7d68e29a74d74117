/**
 * Prompt text for `bench serve`'s synthetic workloads, with no tokenizer at hand: words of three
 * letters after a space (" the", " and"...), 4 bytes each. Common English words like these are
 * one token in the usual BPE vocabularies, and 4 bytes is one token for infernode's simulator,
 * so N words come out near N prompt tokens on either. Deterministic under a seed.
 */
import { SeededRng, randomInt } from '../shared/index.js';

const WORDS = [
  'the',
  'and',
  'for',
  'are',
  'but',
  'not',
  'you',
  'all',
  'any',
  'can',
  'had',
  'her',
  'was',
  'one',
  'our',
  'out',
  'day',
  'get',
  'has',
  'him',
  'his',
  'how',
  'man',
  'new',
  'now',
  'old',
  'see',
  'two',
  'way',
  'who',
  'boy',
  'did',
  'its',
  'let',
  'put',
  'say',
  'she',
  'too',
  'use',
  'end',
  'far',
  'off',
  'own',
  'run',
  'set',
  'try',
  'ask',
  'big',
  'red',
  'sun',
  'top',
  'yes',
] as const;

/** `tokens` words (4 bytes each) drawn from a stream seeded by `seed`. */
export function wordText(seed: number, tokens: number): string {
  const rng = new SeededRng(seed);
  const out = new Array<string>(Math.max(0, tokens));
  for (let i = 0; i < out.length; i++) out[i] = ` ${WORDS[randomInt(rng, WORDS.length)] as string}`;
  return out.join('');
}

/** Mixes integers into one 32-bit seed (so (run seed, request, part) streams differ). */
export function mixSeed(...parts: readonly number[]): number {
  let h = 0x811c9dc5;
  for (const p of parts) {
    h = Math.imul(h ^ (p >>> 0), 0x01000193) >>> 0;
    h = Math.imul(h ^ (h >>> 15), 0x85ebca6b) >>> 0;
  }
  return h >>> 0;
}
