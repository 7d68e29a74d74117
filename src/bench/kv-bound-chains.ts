/**
 * The Mooncake trace as `bench kv-bound` replays it: each entry's prompt is the text the real
 * `bench kv --sections trace` sends (routing-trace.ts promptFor: one 2048-byte text per 512-token
 * hash id, truncated to input_length, padded with text unique to the request), and its KV block
 * chain is what a simulated engine keys that prompt's blocks by (the stand-in tokenizer, then
 * chained 16-token block hashes). So one hash id is 32 chained blocks, equal hash-id prefixes give
 * equal block prefixes, and prefix-cache hit ratios are comparable with the real bench's.
 */
import { promptBlockHashes } from '../kvcache/index.js';
import { BlockTextCache, promptFor, type TraceEntry } from './routing-trace.js';

/** One request of the replay, independent of the rate scale. */
export interface BoundRequest {
  /** Position in the window (the real bench's salt for the padding text). */
  readonly index: number;
  readonly entry: TraceEntry;
  /** Arrival, seconds after the window's first request, at rate scale 1. */
  readonly traceS: number;
  readonly promptTokens: number;
  readonly outputTokens: number;
  /** Chained hashes of the prompt's full KV blocks, as the engines compute them. */
  readonly chain: readonly number[];
}

/**
 * The block chain of `entry`'s prompt (salt: its index in the window), `blockSizeTokens` per
 * block; every full block of the prompt is hashed.
 */
export function traceBlockChain(
  entry: TraceEntry,
  salt: number,
  blockSizeTokens: number,
  cache: BlockTextCache = new BlockTextCache(0),
): number[] {
  const text = promptFor(entry, salt, cache);
  return promptBlockHashes(text, blockSizeTokens, Math.ceil(entry.inputLength / blockSizeTokens));
}

/** The window's requests with their chains (built once; the replays only read them). */
export function boundRequests(
  window: readonly TraceEntry[],
  blockSizeTokens: number,
): BoundRequest[] {
  // Hot prefix blocks recur across requests: their text is built once (bounded, as the client's).
  const cache = new BlockTextCache(8192);
  const start = window[0]?.timestampMs ?? 0;
  return window.map((entry, index) => ({
    index,
    entry,
    traceS: (entry.timestampMs - start) / 1000,
    promptTokens: entry.inputLength,
    outputTokens: entry.outputLength,
    chain: traceBlockChain(entry, index, blockSizeTokens, cache),
  }));
}

/** The prompt text of `request`, as the real bench's load generator sends it. */
export function boundPromptText(request: BoundRequest, cache: BlockTextCache): string {
  return promptFor(request.entry, request.index, cache);
}
