import { openAiError } from './openai-error.js';

/** Turns an engine's error body (vLLM's `{"object":"error",…}` or anything else) into OpenAI's shape. */
export function normalizeUpstreamError(status: number, text: string): unknown {
  try {
    const body = JSON.parse(text) as { error?: unknown; message?: unknown };
    if (body.error !== null && typeof body.error === 'object') return body;
    if (typeof body.message === 'string') return openAiError(status, body.message, null);
  } catch {
    // Not JSON: fall through to a generic message.
  }
  return openAiError(
    status,
    text.trim() === '' ? `upstream answered ${status}` : text.slice(0, 1000),
    null,
  );
}
