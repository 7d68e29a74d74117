import { BYTES_PER_TOKEN, withTokens } from '../engine/index.js';
import { stringHash52 } from './string-hash.js';
import { hashBlocks } from './block-hash.js';

/**
 * The chained block hashes of a prompt as the engines key their KV blocks: the stand-in tokens
 * of `promptText` (src/engine tokenize, 4 UTF-8 bytes each) cut into `blockSizeTokens` blocks and
 * hashed with hashBlocks. Only the first `maxBlocks` full blocks are hashed, and only the text
 * they can cover is tokenized, so the cost per request is bounded. An adapter seeds the hash:
 * vLLM does not share KV blocks between LoRA adapters, so neither does the index.
 */
export function promptBlockHashes(
  promptText: string,
  blockSizeTokens: number,
  maxBlocks: number,
  adapter?: string,
): number[] {
  const maxTokens = blockSizeTokens * maxBlocks;
  // A UTF-16 code unit encodes to ≥ 1 byte, so this many code units cover ≥ maxTokens tokens.
  const maxChars = maxTokens * BYTES_PER_TOKEN;
  const text = promptText.length > maxChars ? promptText.slice(0, maxChars) : promptText;
  const seed = adapterHashSeed(adapter);
  return withTokens(text, (tokens) =>
    hashBlocks(
      tokens.length > maxTokens ? tokens.subarray(0, maxTokens) : tokens,
      blockSizeTokens,
      seed,
    ),
  );
}

/**
 * The hash seed of an adapter's blocks (0 for the base model): what the gateway seeds prompts
 * with, and what the agent seeds an engine's BlockStored tokens with, so both land on one key.
 */
export function adapterHashSeed(adapter?: string): number {
  return adapter === undefined ? 0 : (stringHash52(adapter) % 0x100000000) | 0;
}
