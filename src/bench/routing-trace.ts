/**
 * The routing benchmark's workload: a Mooncake-format trace (JSONL of `timestamp` ms,
 * `input_length`, `output_length`, `hash_ids` of 512-token blocks) and the prompts synthesized
 * from it so that equal hash ids give equal token blocks. With the stand-in tokenizer (4 UTF-8
 * bytes per token) a 512-token block is 2048 ASCII bytes, so block boundaries of the trace fall
 * exactly on the engines' 16-token KV block boundaries.
 */
import { readFileSync, statSync } from 'node:fs';
import { BYTES_PER_TOKEN } from '../engine/index.js';

/** One trace request. */
export interface TraceEntry {
  /** Arrival, ms from the trace start. */
  readonly timestampMs: number;
  readonly inputLength: number;
  readonly outputLength: number;
  readonly hashIds: readonly number[];
}

/** Tokens per Mooncake hash block. */
export const TRACE_BLOCK_TOKENS = 512;
/** Bytes of text per hash block (512 stand-in tokens). */
export const TRACE_BLOCK_BYTES = TRACE_BLOCK_TOKENS * BYTES_PER_TOKEN;
/** Largest trace file read, bytes (the conversation trace is ~6 MB). */
export const MAX_TRACE_BYTES = 256 * 1024 * 1024;

const isCount = (v: unknown): v is number => Number.isInteger(v) && (v as number) >= 0;

/** Parses one JSONL line; throws with the line number on a malformed entry. */
export function parseTraceLine(line: string, lineNo: number): TraceEntry {
  const raw = JSON.parse(line) as Record<string, unknown>;
  const { timestamp, input_length: inp, output_length: out, hash_ids: ids } = raw;
  if (
    typeof timestamp !== 'number' ||
    !Number.isFinite(timestamp) ||
    !isCount(inp) ||
    !isCount(out) ||
    !Array.isArray(ids) ||
    !ids.every(isCount)
  )
    throw new Error(`trace line ${lineNo}: needs timestamp, input_length, output_length, hash_ids`);
  return { timestampMs: timestamp, inputLength: inp, outputLength: out, hashIds: ids };
}

/** Parses a whole JSONL text (blank lines skipped), sorted by timestamp (stable). */
export function parseTrace(text: string): TraceEntry[] {
  const out: TraceEntry[] = [];
  text.split('\n').forEach((line, i) => {
    if (line.trim() !== '') out.push(parseTraceLine(line, i + 1));
  });
  return out
    .map((e, i) => ({ e, i }))
    .sort((a, b) => a.e.timestampMs - b.e.timestampMs || a.i - b.i)
    .map((x) => x.e);
}

/** Reads and parses a trace file (refuses files over {@link MAX_TRACE_BYTES}). */
export function readTrace(path: string): TraceEntry[] {
  const size = statSync(path).size;
  if (size > MAX_TRACE_BYTES) throw new Error(`trace ${path} is ${size} bytes, over the limit`);
  return parseTrace(readFileSync(path, 'utf8'));
}

/** The entries whose arrival falls in the first `durationS` seconds of the trace (0 = all). */
export function traceWindow(entries: readonly TraceEntry[], durationS: number): TraceEntry[] {
  if (!(durationS > 0)) return [...entries];
  const start = entries[0]?.timestampMs ?? 0;
  return entries.filter((e) => e.timestampMs - start < durationS * 1000);
}

/**
 * When each entry is sent, ms after the replay starts (wall time): trace time divided by the
 * rate scale (more arrivals per second) and by the speed (the whole run dilated).
 */
export function arrivalOffsetsMs(
  entries: readonly TraceEntry[],
  rateScale: number,
  speed: number,
): number[] {
  const start = entries[0]?.timestampMs ?? 0;
  return entries.map((e) => (e.timestampMs - start) / (rateScale * speed));
}

const ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,;:-_!?()';

/** `bytes` ASCII characters from a xorshift32 stream seeded by `seed` (deterministic). */
function pseudoText(seed: number, bytes: number): string {
  let x = (seed ^ 0x9e3779b9) >>> 0 || 1;
  const chars: string[] = new Array<string>(bytes);
  for (let i = 0; i < bytes; i++) {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    chars[i] = ALPHABET[x % ALPHABET.length] as string;
  }
  return chars.join('');
}

/**
 * The text of hash block `hashId`: 2048 ASCII bytes (exactly 512 stand-in tokens), a header
 * naming the id followed by pseudo-random text seeded by it. Equal ids give equal text; different
 * ids differ from the first 16-token block on.
 */
export function blockText(hashId: number): string {
  const head = `<block ${hashId}>`;
  return head + pseudoText(Math.imul(hashId + 1, 0x85ebca6b), TRACE_BLOCK_BYTES - head.length);
}

/** A bounded cache of block texts (hot prefix blocks recur across requests). */
export class BlockTextCache {
  readonly #map = new Map<number, string>();
  readonly #max: number;
  constructor(maxEntries = 4096) {
    this.#max = maxEntries;
  }
  get(hashId: number): string {
    let text = this.#map.get(hashId);
    if (text === undefined) {
      text = blockText(hashId);
      if (this.#max <= 0) return text;
      if (this.#map.size >= this.#max) {
        const oldest = this.#map.keys().next().value;
        if (oldest !== undefined) this.#map.delete(oldest);
      }
      this.#map.set(hashId, text);
    }
    return text;
  }
}

/**
 * The prompt of a trace entry: its blocks' texts concatenated, truncated to `inputLength` tokens
 * (× 4 bytes); padded with text unique to `salt` when the blocks are too short.
 */
export function promptFor(
  entry: TraceEntry,
  salt: number,
  cache: BlockTextCache = new BlockTextCache(0),
): string {
  const bytes = entry.inputLength * BYTES_PER_TOKEN;
  const parts: string[] = [];
  let length = 0;
  for (const id of entry.hashIds) {
    if (length >= bytes) break;
    const text = cache.get(id);
    parts.push(text);
    length += text.length;
  }
  if (length < bytes) {
    const head = `<pad ${salt}>`;
    parts.push(head + pseudoText(0x7f4a7c15 ^ salt, Math.max(0, bytes - length - head.length)));
  }
  return parts.join('').slice(0, bytes);
}
