/**
 * Deterministic stand-in model output: a lorem-ipsum word stream whose offset and natural length
 * are seeded by the prompt's tokens, and deterministic embedding vectors. Same prompt, same
 * answer; no RNG state shared between requests.
 */
import { SeededRng } from '../shared/index.js';

const WORDS = (
  'lorem ipsum dolor sit amet consectetur adipiscing elit sed do eiusmod tempor incididunt ut ' +
  'labore et dolore magna aliqua ut enim ad minim veniam quis nostrud exercitation ullamco ' +
  'laboris nisi ut aliquip ex ea commodo consequat duis aute irure dolor in reprehenderit in ' +
  'voluptate velit esse cillum dolore eu fugiat nulla pariatur excepteur sint occaecat ' +
  'cupidatat non proident sunt in culpa qui officia deserunt mollit anim id est laborum'
).split(' ');

/** Token texts: the first word of an answer has no leading space, the others do. */
const FIRST_TEXT = WORDS.map((w) => w.charAt(0).toUpperCase() + w.slice(1));
const NEXT_TEXT = WORDS.map((w) => ` ${w}`);
/** The same texts pre-encoded as JSON strings, so a streamed token costs no JSON.stringify. */
const FIRST_JSON = FIRST_TEXT.map((t) => JSON.stringify(t));
const NEXT_JSON = NEXT_TEXT.map((t) => JSON.stringify(t));

/** Fewest / most output tokens before the stand-in model emits EOS (when not ignored). */
export const NATURAL_LENGTH_RANGE = [16, 256] as const;

/** A 32-bit FNV-1a over token ids: the seed of a prompt's answer. */
export function promptSeed(tokens: Uint32Array): number {
  let h = 0x811c9dc5;
  for (const t of tokens) h = Math.imul(h ^ t, 0x01000193);
  return h >>> 0;
}

/** Output tokens after which the stand-in model emits EOS for this seed. */
export function naturalLength(seed: number): number {
  const [lo, hi] = NATURAL_LENGTH_RANGE;
  return lo + (seed % (hi - lo));
}

/** Text of output token `index` (1-based) of the answer seeded by `seed`. */
export function tokenText(seed: number, index: number): string {
  const w = (seed + index) % WORDS.length;
  return (index === 1 ? FIRST_TEXT[w] : NEXT_TEXT[w]) as string;
}

/** `tokenText` as a JSON string literal. */
export function tokenJson(seed: number, index: number): string {
  const w = (seed + index) % WORDS.length;
  return (index === 1 ? FIRST_JSON[w] : NEXT_JSON[w]) as string;
}

/** The text of output tokens 1…count. */
export function answerText(seed: number, count: number): string {
  let text = '';
  for (let i = 1; i <= count; i++) text += tokenText(seed, i);
  return text;
}

/** A deterministic unit vector of `dimensions` floats for `seed`. */
export function embeddingVector(seed: number, dimensions: number): Float32Array {
  const rng = new SeededRng(seed);
  const v = new Float32Array(dimensions);
  let norm = 0;
  for (let i = 0; i < dimensions; i++) {
    const x = rng.next() * 2 - 1;
    v[i] = x;
    norm += x * x;
  }
  const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
  for (let i = 0; i < dimensions; i++) v[i] = (v[i] as number) * scale;
  return v;
}
