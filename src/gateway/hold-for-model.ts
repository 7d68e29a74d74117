/**
 * The gateway's use of the request hold: a request for an expected model without a ready engine
 * waits (request-hold.ts) and is then routed as usual, or gets the answer that says why it could
 * not wait, in the OpenAI error shape.
 */
import type { Clock } from '../shared/index.js';
import { openAiError, type OpenAiErrorBody } from './openai-error.js';
import type { RequestHold } from './request-hold.js';

/** The answer for a request that could not be held until its model was ready. */
export interface HoldRefusal {
  readonly status: number;
  readonly body: OpenAiErrorBody;
  readonly headers: Record<string, string>;
}

/** HTTP status logged for a client that left while held (nginx's convention, as elsewhere). */
const CLIENT_GONE_STATUS = 499;

/**
 * Holds the request while `model` is expected and not ready, within one hold time in all (a
 * release whose engine is gone again before the request looks waits again, in what is left).
 * Undefined: route it now (ready, or not expected at all).
 */
export async function holdForModel(
  hold: RequestHold | undefined,
  model: string,
  /** The request's cancellation: its AbortSignal is read only when the request is held. */
  cancel: { readonly signal: AbortSignal },
  clock: Clock,
  retryAfterSeconds: number,
): Promise<HoldRefusal | undefined> {
  if (hold?.shouldHold(model) !== true) return undefined;
  const timeoutMs = hold.timeoutMsFor(model);
  const deadline = clock.now() + timeoutMs;
  const retry = { 'retry-after': String(retryAfterSeconds) };
  while (hold.shouldHold(model)) {
    const left = deadline - clock.now();
    const outcome = left > 0 ? await hold.wait(model, cancel.signal, left) : 'timeout';
    if (outcome === 'released') continue;
    if (outcome === 'full')
      return {
        status: 503,
        body: openAiError(
          503,
          `model ${model} has no ready engine yet and the gateway already holds as many requests as it may; retry later`,
          'hold_queue_full',
        ),
        headers: retry,
      };
    if (outcome === 'client-gone')
      return {
        status: CLIENT_GONE_STATUS,
        body: openAiError(CLIENT_GONE_STATUS, 'client closed the request', 'client_gone'),
        headers: {},
      };
    return {
      status: 503,
      body: openAiError(
        503,
        `model ${model} had no ready engine within ${timeoutMs} ms (it is starting: scaling up or loading); retry later`,
        'model_not_ready',
      ),
      headers: retry,
    };
  }
  return undefined;
}
