/**
 * The deterministic stand-in tokenizer shared by the simulator and the router, so a prompt cuts
 * into the same tokens (and the same 16-token KV blocks) on both sides.
 *
 * One token = 4 UTF-8 bytes, read as a little-endian uint32 (the last one zero-padded). That is
 * close to the ~4 characters per token of real BPE vocabularies on English text, costs one pass
 * over the bytes, and a shared text prefix always yields a shared token prefix (modulo the last,
 * partial token), which is what prefix caching needs.
 */

/** Bytes per stand-in token. */
export const BYTES_PER_TOKEN = 4;

const encoder = new TextEncoder();

/** True when typed arrays use little-endian byte order (every platform Node ships for). */
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** Token ids of `text`. */
export function tokenize(text: string): Uint32Array {
  const bytes = encoder.encode(text);
  // `encode` returns a fresh buffer the caller owns: view it without a copy when it fits.
  if (LITTLE_ENDIAN && bytes.byteOffset === 0 && bytes.length % BYTES_PER_TOKEN === 0)
    return new Uint32Array(bytes.buffer, 0, bytes.length / BYTES_PER_TOKEN);
  return tokenizeBytes(bytes);
}

/**
 * Token ids of UTF-8 bytes. On little-endian hosts the (zero-padded) bytes are viewed as
 * uint32s directly instead of being read one by one: the same ids, about 3× faster.
 */
export function tokenizeBytes(bytes: Uint8Array): Uint32Array {
  const count = Math.ceil(bytes.length / BYTES_PER_TOKEN);
  const aligned = bytes.byteOffset % BYTES_PER_TOKEN === 0;
  if (LITTLE_ENDIAN && aligned && bytes.length === count * BYTES_PER_TOKEN)
    return new Uint32Array(bytes.buffer, bytes.byteOffset, count).slice();
  const padded = new Uint8Array(count * BYTES_PER_TOKEN);
  padded.set(bytes);
  if (LITTLE_ENDIAN) return new Uint32Array(padded.buffer, 0, count);
  const view = new DataView(padded.buffer);
  const tokens = new Uint32Array(count);
  for (let i = 0; i < count; i++) tokens[i] = view.getUint32(i * BYTES_PER_TOKEN, true);
  return tokens;
}

/**
 * Where {@link withTokens} encodes: reused across calls, because allocating a fresh buffer per
 * prompt (what `TextEncoder.encode` does) was most of the cost of hashing one: ~4 µs of ~6 for
 * a 1 KB prompt, on every routed request (issue #18). Grown on demand up to
 * {@link MAX_SCRATCH_BYTES}; longer texts take the allocating path.
 */
let scratch = new Uint8Array(16 * 1024);
const MAX_SCRATCH_BYTES = 4 * 1024 * 1024;
/** UTF-8 takes at most 3 bytes per UTF-16 code unit (a surrogate pair: 4 bytes for 2 units). */
const MAX_UTF8_BYTES_PER_UNIT = 3;

/**
 * Calls `use` with the token ids of `text` (the same as {@link tokenize}'s) and returns what it
 * returns. The ids lie in memory the next call reuses: they are valid only inside `use`, which
 * must neither keep them nor call this again. For callers that only read the tokens (hashing).
 */
export function withTokens<T>(text: string, use: (tokens: Uint32Array) => T): T {
  const bound = text.length * MAX_UTF8_BYTES_PER_UNIT + BYTES_PER_TOKEN;
  if (!LITTLE_ENDIAN || bound > MAX_SCRATCH_BYTES) return use(tokenize(text));
  if (bound > scratch.length) scratch = new Uint8Array(2 ** Math.ceil(Math.log2(bound)));
  const { written } = encoder.encodeInto(text, scratch);
  const count = Math.ceil(written / BYTES_PER_TOKEN);
  // The last token's missing bytes read as zero, as tokenizeBytes pads them.
  scratch.fill(0, written, count * BYTES_PER_TOKEN);
  return use(new Uint32Array(scratch.buffer, 0, count));
}

/** Number of stand-in tokens in `text`, without building them. */
export function countTokens(text: string): number {
  return Math.ceil(Buffer.byteLength(text, 'utf8') / BYTES_PER_TOKEN);
}

/** An OpenAI chat message as far as prompt rendering cares. */
export interface ChatMessageLike {
  readonly role: string;
  readonly content?: unknown;
}

function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content
      .map((part: unknown) =>
        part !== null &&
        typeof part === 'object' &&
        typeof (part as { text?: unknown }).text === 'string'
          ? (part as { text: string }).text
          : JSON.stringify(part),
      )
      .join('');
  }
  return content === undefined || content === null ? '' : JSON.stringify(content);
}

/**
 * The stand-in chat template. Each message renders as `<|role|>\n<content>\n`, and generation
 * starts after `<|assistant|>\n`. A conversation that grows by appending turns renders to text
 * that extends the previous rendering, so multi-turn chats share their prefix blocks.
 */
export function renderChatPrompt(messages: readonly ChatMessageLike[]): string {
  let text = '';
  for (const m of messages) text += `<|${m.role}|>\n${contentText(m.content)}\n`;
  return `${text}<|assistant|>\n`;
}
