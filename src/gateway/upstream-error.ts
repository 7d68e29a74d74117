/**
 * The gateway's error contract for engine answers (README "Errors"): an engine's 4xx is the
 * client's fault and passes through with its status and message, in the OpenAI shape; anything
 * else the engine answers with (5xx) is the gateway's failure to serve and becomes the
 * documented 502 `gw_upstream_error`, never the engine's own 500 body.
 */
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

function engineMessage(text: string): string | undefined {
  try {
    const body = JSON.parse(text) as { error?: { message?: unknown }; message?: unknown };
    const message = body.error?.message ?? body.message;
    if (typeof message === 'string') return message.slice(0, 500);
  } catch {
    // Not JSON: use the text itself.
  }
  const trimmed = text.trim();
  return trimmed === '' ? undefined : trimmed.slice(0, 500);
}

/** Status and OpenAI-shaped body the client gets for an engine's error answer. */
export function upstreamErrorReply(
  status: number,
  text: string,
  engineName: string,
): { status: number; body: unknown } {
  if (status >= 400 && status < 500) return { status, body: normalizeUpstreamError(status, text) };
  const detail = engineMessage(text);
  const message = `engine ${engineName} answered ${status}${detail === undefined ? '' : `: ${detail}`}`;
  return { status: 502, body: openAiError(502, message, 'gw_upstream_error') };
}
