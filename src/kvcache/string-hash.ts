import { withTokens } from '../engine/index.js';
import { hashBlock } from './block-hash.js';

/**
 * A 52-bit hash of a string (the engine's block hash over its stand-in tokens), for rendezvous
 * hashing and for shortening long keys. Not cryptographic.
 */
export function stringHash52(text: string, seed = 0): number {
  return withTokens(text, (tokens) => hashBlock(0, tokens, 0, tokens.length, seed));
}

/** Longest key kept verbatim in bounded maps; longer ones are replaced by their hash. */
export const MAX_KEY_CHARS = 256;

/** `key` itself when short, else a fixed-size stand-in, so a map's memory stays bounded. */
export function boundedKey(key: string): string {
  return key.length <= MAX_KEY_CHARS ? key : `#${stringHash52(key).toString(36)}`;
}
