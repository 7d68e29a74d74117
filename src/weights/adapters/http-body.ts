/**
 * Reading an HTTP response body as a weight source does: chunk by chunk with an idle timeout
 * (a stalled upstream is cut, not waited on forever), cut by the caller's signal, and refused
 * when the socket closes before Content-Length bytes arrived — a truncated body is a failed read,
 * never a short part written as if whole.
 */
import type { IncomingMessage } from 'node:http';
import { AppError } from '../../shared/index.js';
import { transportError } from './source-errors.js';

/**
 * The body of `res` as an async iterable. The idle timer runs only while waiting on the socket,
 * not while the consumer holds a chunk (a slow disk is not a stalled upstream).
 * Fails with WEIGHTS_SOURCE_TIMEOUT after `idleTimeoutMs` without a byte, WEIGHTS_ABORTED when
 * `signal` aborts, WEIGHTS_SOURCE_FAILED on a reset or a truncated body. Breaking out of the
 * iteration destroys the response.
 */
export async function* responseBody(
  res: IncomingMessage,
  what: string,
  idleTimeoutMs: number,
  signal: AbortSignal,
): AsyncGenerator<Uint8Array, void, undefined> {
  let timedOut = false;
  const onAbort = (): void => {
    res.destroy(new AppError('WEIGHTS_ABORTED', `${what}: aborted`, { httpStatus: 499 }));
  };
  const onIdle = (): void => {
    timedOut = true;
    res.destroy(
      new AppError('WEIGHTS_SOURCE_TIMEOUT', `${what}: no byte for ${idleTimeoutMs} ms`, {
        httpStatus: 504,
      }),
    );
  };
  if (signal.aborted) onAbort();
  signal.addEventListener('abort', onAbort, { once: true });
  let timer = setTimeout(onIdle, idleTimeoutMs);
  try {
    for await (const chunk of res) {
      clearTimeout(timer);
      yield chunk as Buffer;
      // A new timer, not refresh(): a cleared timer cannot be re-armed.
      timer = setTimeout(onIdle, idleTimeoutMs);
    }
    // Node ends the stream quietly in some close-early paths; `complete` says if every byte came.
    if (!res.complete)
      throw new AppError('WEIGHTS_SOURCE_FAILED', `${what}: the body ended early`, {
        httpStatus: 502,
      });
  } catch (err) {
    throw transportError(err, `${what}: reading the body`, {
      callerAborted: signal.aborted,
      timedOut,
    });
  } finally {
    clearTimeout(timer);
    signal.removeEventListener('abort', onAbort);
    if (!res.destroyed) res.destroy();
  }
}

/**
 * The whole body as text, refused past `limitBytes` (an index or API answer, never weights).
 * @throws AppError WEIGHTS_SOURCE_FAILED when larger than the limit, or as {@link responseBody}.
 */
export async function readBodyText(
  body: AsyncIterable<Uint8Array>,
  what: string,
  limitBytes: number,
): Promise<string> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.byteLength;
    if (size > limitBytes)
      throw new AppError('WEIGHTS_SOURCE_FAILED', `${what}: larger than ${limitBytes} bytes`, {
        httpStatus: 502,
      });
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Parses JSON text read from a source. @throws AppError WEIGHTS_SOURCE_FAILED when malformed. */
export function parseSourceJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new AppError('WEIGHTS_SOURCE_FAILED', `${what}: not valid JSON`, {
      httpStatus: 502,
      cause: err,
    });
  }
}

/** The body of an empty range: nothing, without a request. */
export async function* emptyBody(): AsyncGenerator<Uint8Array, void, undefined> {
  // An empty range needs no bytes and no request.
}
