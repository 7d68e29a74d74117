/**
 * What an engine's answer to a runtime LoRA call means (reference/perf.md §8.3, aibrix.md §5):
 * vLLM answers 200 with text, or an OpenAI-shaped error (`{"error":{"message"}}`, older builds
 * `{"message"}`); SGLang answers `{"success":false,"error_message"}`. Loading a name the engine
 * already has is success (the adapter is there); unloading a name it does not have is success
 * (nothing to do). A 4xx is the engine refusing this adapter (another engine may take it); 5xx
 * and no answer at all are the engine being unavailable (retry later). Pure.
 */
import { AppError } from '../shared/index.js';

/** Longest engine message kept in an error (the rest is cut). */
export const MAX_ENGINE_MESSAGE_CHARS = 500;

/** The human message inside an engine's answer body (the body itself when it has none). */
export function engineMessage(body: string): string {
  let message = body.trim();
  try {
    const json = JSON.parse(body) as unknown;
    if (typeof json === 'object' && json !== null) {
      const o = json as Record<string, unknown>;
      const nested: unknown = o.error;
      const found =
        (typeof nested === 'object' && nested !== null
          ? (nested as Record<string, unknown>).message
          : nested) ??
        o.message ??
        o.error_message ??
        o.detail;
      if (typeof found === 'string') message = found;
    } else if (typeof json === 'string') message = json;
  } catch {
    // Plain text: keep it as is.
  }
  return message.length > MAX_ENGINE_MESSAGE_CHARS
    ? `${message.slice(0, MAX_ENGINE_MESSAGE_CHARS)}…`
    : message;
}

/** SGLang reports failure inside a 200 as `success: false`. */
function failedInside(body: string): boolean {
  try {
    const json = JSON.parse(body) as unknown;
    return (
      typeof json === 'object' && json !== null && (json as { success?: unknown }).success === false
    );
  } catch {
    return false;
  }
}

/** The engine's answer when every adapter slot is taken (vLLM's two wordings). */
const NO_SLOT_MESSAGE = /no free (adapter|lora) slots?/i;

/** A load call's outcome: loaded now, or found already loaded. */
export type LoadAnswer = 'loaded' | 'already-loaded';

/**
 * Maps a load call's answer.
 * @throws AppError LORA_RANK_TOO_HIGH; LORA_NO_SLOT (the engine is full); LORA_ENGINE_REFUSED
 *   (another 4xx, or a refusal inside a 2xx) with the engine's message; LORA_ENGINE_UNAVAILABLE
 *   (5xx, anything else).
 */
export function mapLoadAnswer(adapter: string, status: number, body: string): LoadAnswer {
  const message = engineMessage(body);
  if (/already (been )?loaded/i.test(message) && status < 500) return 'already-loaded';
  if (status >= 200 && status < 300 && !failedInside(body)) return 'loaded';
  // vLLM: "LoRA rank 64 is greater than max_lora_rank 16." (another engine may take it).
  if (status < 500 && /rank \d+ is greater than max_lora_rank/i.test(message))
    throw new AppError('LORA_RANK_TOO_HIGH', `engine refused ${adapter}: ${message}`, {
      detail: { status },
    });
  // vLLM: "No free adapter slots." / "No free lora slots" (the engine is full now; a slot may
  // free, and another engine may have one: retriable, unlike a refusal of the adapter itself).
  if (status < 500 && NO_SLOT_MESSAGE.test(message))
    throw new AppError('LORA_NO_SLOT', `engine has no free slot for ${adapter}: ${message}`, {
      detail: { status },
    });
  if ((status >= 200 && status < 300) || (status >= 400 && status < 500))
    throw new AppError('LORA_ENGINE_REFUSED', `engine refused ${adapter}: ${message}`, {
      detail: { status },
    });
  throw new AppError(
    'LORA_ENGINE_UNAVAILABLE',
    `engine answered ${status} loading ${adapter}: ${message}`,
    { detail: { status } },
  );
}

/** An unload call's outcome: unloaded now, or the engine did not have it. */
export type UnloadAnswer = 'unloaded' | 'not-loaded';

/**
 * Maps an unload call's answer.
 * @throws AppError LORA_ENGINE_REFUSED (another 4xx); LORA_ENGINE_UNAVAILABLE (5xx, other).
 */
export function mapUnloadAnswer(adapter: string, status: number, body: string): UnloadAnswer {
  const message = engineMessage(body);
  if (status >= 200 && status < 300 && !failedInside(body)) return 'unloaded';
  if (status === 404 || /cannot be found|not found|not loaded/i.test(message))
    if (status < 500) return 'not-loaded';
  if (status < 500)
    throw new AppError('LORA_ENGINE_REFUSED', `engine refused to unload ${adapter}: ${message}`, {
      detail: { status },
    });
  throw new AppError(
    'LORA_ENGINE_UNAVAILABLE',
    `engine answered ${status} unloading ${adapter}: ${message}`,
    { detail: { status } },
  );
}
