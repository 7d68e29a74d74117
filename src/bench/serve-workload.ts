/**
 * `bench serve`'s request sets: what each request asks (its messages, built only when sent so a
 * large set stays small in memory) and how many tokens in and out it plans. `random` follows
 * vLLM's random dataset (lengths uniform within ± range ratio of the target, an optional prefix
 * shared by every request); `trace` turns Mooncake entries into requests with their arrival
 * times. The ShareGPT-like set is in serve-sharegpt.ts.
 */
import { SeededRng, randomInt } from '../shared/index.js';
import { BlockTextCache, promptFor, type TraceEntry } from './routing-trace.js';
import { mixSeed, wordText } from './serve-text.js';

/** One chat message. */
export interface ChatMessage {
  readonly role: 'system' | 'user' | 'assistant';
  readonly content: string;
}

/** One request of a workload. */
export interface WorkloadRequest {
  /** Planned prompt tokens (the report prefers the server's `usage` count). */
  readonly inputTokens: number;
  /** `max_tokens` (sent with `ignore_eos`, so a vLLM-like server generates exactly this). */
  readonly outputTokens: number;
  /** Arrival ms from the start, for trace replay; absent when the arrival process decides. */
  readonly atMs?: number;
  /** The conversation to send (completions endpoints get the contents joined). */
  messages(): ChatMessage[];
}

/** vLLM's random dataset settings. */
export interface RandomWorkloadOptions {
  readonly count: number;
  readonly inputLen: number;
  readonly outputLen: number;
  /** Lengths are uniform in [len·(1 − r), len·(1 + r)]; 0 = fixed. */
  readonly rangeRatio: number;
  /** Tokens of one prefix every request starts with. */
  readonly prefixLen: number;
  readonly seed: number;
}

/** An integer uniform in [floor(len·(1 − r)), ceil(len·(1 + r))], at least `min`. */
function lengthAround(rng: SeededRng, len: number, ratio: number, min: number): number {
  const lo = Math.max(min, Math.floor(len * (1 - ratio)));
  const hi = Math.max(lo, Math.ceil(len * (1 + ratio)));
  return lo + randomInt(rng, hi - lo + 1);
}

/** The random workload: deterministic under `seed`. */
export function randomWorkload(o: RandomWorkloadOptions): WorkloadRequest[] {
  const rng = new SeededRng(o.seed);
  const prefix = o.prefixLen > 0 ? wordText(mixSeed(o.seed, 0x9e37), o.prefixLen) : '';
  const out: WorkloadRequest[] = [];
  for (let i = 0; i < o.count; i++) {
    const input = lengthAround(rng, o.inputLen, o.rangeRatio, 0);
    const output = lengthAround(rng, o.outputLen, o.rangeRatio, 1);
    const textSeed = mixSeed(o.seed, i + 1);
    out.push({
      inputTokens: o.prefixLen + input,
      outputTokens: output,
      messages: () => [{ role: 'user', content: prefix + wordText(textSeed, input) }],
    });
  }
  return out;
}

/**
 * A Mooncake trace as requests: arrival times relative to the first entry, divided by `speed`;
 * prompts built from the hash blocks so equal ids give equal prefixes (routing-trace.ts).
 */
export function traceWorkload(entries: readonly TraceEntry[], speed: number): WorkloadRequest[] {
  const start = entries[0]?.timestampMs ?? 0;
  const cache = new BlockTextCache(4096);
  return entries.map((e, i) => ({
    inputTokens: e.inputLength,
    outputTokens: Math.max(1, e.outputLength),
    atMs: (e.timestampMs - start) / speed,
    messages: () => [{ role: 'user', content: promptFor(e, i, cache) }],
  }));
}

/** The text a completions endpoint gets for a conversation: its contents, one per line. */
export function promptText(messages: readonly ChatMessage[]): string {
  return messages.map((m) => m.content).join('\n');
}
