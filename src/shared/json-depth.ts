/**
 * A cheap guard run before `JSON.parse` on untrusted bodies: how deeply `[` and `{` nest,
 * outside strings. V8's `JSON.parse` copes with any depth, but everything that walks the result
 * afterwards (`JSON.stringify`, a chat template, a tokenizer) recurses, and a body nested
 * ~10,000 levels deep overflows the stack there. Refusing such bodies up front keeps that out of
 * every later step. Malformed JSON is not this scan's concern: it only counts brackets, and the
 * parser rejects the rest.
 */

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;

/** The index of the quote that closes the string opened just before `from`, or -1. */
function endOfString(bytes: Uint8Array, from: number): number {
  let at = from;
  for (;;) {
    const quote = bytes.indexOf(QUOTE, at);
    if (quote < 0) return -1;
    // A quote preceded by an odd number of backslashes is escaped and does not end the string.
    let backslashes = 0;
    for (let i = quote - 1; i >= from && bytes[i] === BACKSLASH; i--) backslashes++;
    if (backslashes % 2 === 0) return quote;
    at = quote + 1;
  }
}

/**
 * True when the JSON text in `bytes` (UTF-8) nests arrays and objects more than `maxDepth`
 * levels deep. Strings are skipped with `indexOf`, so a large prompt costs little; stops at the
 * first level past the limit. Never throws.
 */
export function exceedsJsonDepth(bytes: Uint8Array, maxDepth: number): boolean {
  let depth = 0;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i];
    if (b === QUOTE) {
      const end = endOfString(bytes, i + 1);
      if (end < 0) return false;
      i = end;
    } else if (b === OPEN_ARRAY || b === OPEN_OBJECT) {
      if (++depth > maxDepth) return true;
    } else if (b === CLOSE_ARRAY || b === CLOSE_OBJECT) {
      depth--;
    }
  }
  return false;
}
