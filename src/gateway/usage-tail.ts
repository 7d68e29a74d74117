/**
 * Reads the `usage` object from the end of a non-streamed JSON response without parsing the
 * whole body: OpenAI-style servers (vLLM, SGLang, llama.cpp) write `usage` after `choices`, so
 * it sits in the last few hundred bytes. Only a balanced `{...}` after the last `"usage":` key
 * in the tail is parsed. In valid JSON the bytes `"usage"` followed by `:` can only be a key
 * (inside a string the quotes would be escaped), so a match is never prompt or output text.
 */

/** Bytes from the end of a body that are searched for usage. */
export const USAGE_TAIL_BYTES = 4096;

const KEY = '"usage"';
/** Candidates tried from the end before giving up (a hostile tail full of keys stays cheap). */
const MAX_CANDIDATES = 8;

/** The index just past the `}` that closes the object opening at `start`, or -1 if the tail ends first. */
function objectEnd(text: string, start: number): number {
  let depth = 0;
  let inString = false;
  for (let i = start; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) depth++;
    else if (c === 0x7d || c === 0x5d) {
      depth--;
      if (depth === 0) return i + 1;
    }
  }
  return -1;
}

/** JSON's four whitespace characters. */
function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

function skipSpace(text: string, i: number): number {
  while (i < text.length && isSpace(text.charCodeAt(i))) i++;
  return i;
}

/**
 * The value of the last `"usage": {...}` in `tail` that parses as a JSON object, or undefined
 * when there is none complete in the tail. Never throws.
 */
export function usageObjectFromTail(tail: string): object | undefined {
  let at = tail.lastIndexOf(KEY);
  for (let tries = 0; at >= 0 && tries < MAX_CANDIDATES; tries++) {
    let i = skipSpace(tail, at + KEY.length);
    if (tail[i] === ':') {
      i = skipSpace(tail, i + 1);
      const end = tail[i] === '{' ? objectEnd(tail, i) : -1;
      if (end > 0) {
        try {
          const value: unknown = JSON.parse(tail.slice(i, end));
          if (value !== null && typeof value === 'object' && !Array.isArray(value)) return value;
        } catch {
          // Not JSON after all: try an earlier key.
        }
      }
    }
    at = at === 0 ? -1 : tail.lastIndexOf(KEY, at - 1);
  }
  return undefined;
}

/**
 * {@link usageObjectFromTail} on bytes, decoding only from the last `"usage"` key when that one
 * parses (the common case: a body's tail is decoded whole only when it does not).
 */
export function usageObjectFromTailBytes(tail: Buffer): object | undefined {
  const at = tail.lastIndexOf(KEY);
  if (at < 0) return undefined;
  // `"` is ASCII, so the key starts a UTF-8 character: decoding from it splits none.
  return (
    usageObjectFromTail(tail.toString('utf8', at)) ?? usageObjectFromTail(tail.toString('utf8'))
  );
}

/** The last `maxBytes` of the bytes in `chunks` (chunks in order), copying only when they span chunks. */
export function tailBytes(chunks: readonly Buffer[], maxBytes: number): Buffer {
  const last = chunks[chunks.length - 1];
  if (last === undefined) return Buffer.alloc(0);
  if (last.length >= maxBytes || chunks.length === 1)
    return last.subarray(Math.max(0, last.length - maxBytes));
  const parts: Buffer[] = [];
  let bytes = 0;
  for (let k = chunks.length - 1; k >= 0 && bytes < maxBytes; k--) {
    const c = chunks[k] as Buffer;
    const take = Math.min(c.length, maxBytes - bytes);
    parts.unshift(c.subarray(c.length - take));
    bytes += take;
  }
  return Buffer.concat(parts, bytes);
}
