/**
 * How a handler's run turns into the command's one outcome: its value (checked against the
 * wire bounds, so a handler's bug cannot make the leader close the socket), or the reason it
 * stopped: the signal's cause (timeout, cancel, agent stopping) wins over what the handler threw
 * while stopping; an AppError's code passes through; anything else is COMMAND_FAILED.
 */
import { COMMAND_LIMITS, checkJsonObject, type JsonObject } from '../protocol/index.js';
import { AppError, toError, type LinkedSignal } from '../shared/index.js';
import type { CommandOutcome } from './command-handler.js';

/** A failed outcome, its message cut to the wire bound. */
export const failure = (code: string, message: string): CommandOutcome => ({
  ok: false,
  error: { code, message: message.slice(0, COMMAND_LIMITS.messageChars) },
});

/** Settles with `work`, or rejects with the abort reason as soon as `signal` aborts. */
export function raceAbort<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(toError(signal.reason));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** The outcome of a run that resolved with `value`. */
export function outcomeOfValue(kind: string, value: JsonObject | undefined): CommandOutcome {
  if (value === undefined) return { ok: true };
  const bad = checkJsonObject(value, 'value', COMMAND_LIMITS.valueBytes);
  return bad === undefined
    ? { ok: true, value }
    : failure('COMMAND_FAILED', `${kind} returned a bad result: ${bad}`);
}

/** The outcome of a run that threw `err` under `link` (timeout `timeoutMs`). */
export function outcomeOfError(
  kind: string,
  err: unknown,
  link: LinkedSignal,
  timeoutMs: number,
): CommandOutcome {
  if (link.timedOut)
    return failure('COMMAND_TIMEOUT', `${kind} ran past its ${timeoutMs} ms timeout`);
  const reason: unknown = link.signal.aborted ? link.signal.reason : undefined;
  if (reason instanceof AppError) return failure(reason.code, reason.message);
  if (err instanceof AppError) return failure(err.code, err.message);
  return failure('COMMAND_FAILED', toError(err).message);
}
