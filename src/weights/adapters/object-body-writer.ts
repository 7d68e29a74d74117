/**
 * Streams one range of a cached object into an HTTP answer, with the guarantees an engine
 * loading weights needs:
 * - the status line waits for the first byte, so a range still on its way from upstream is
 *   answered when it lands, and a read that fails before any byte gets a proper S3 error;
 * - backpressure: the next chunk is not pulled until the socket drained the last one;
 * - never a silently short (or long) body: a read that fails, stalls past its idle timeout or
 *   yields the wrong number of bytes destroys the response, so the client's SDK sees a broken
 *   transfer and retries instead of loading truncated tensors;
 * - a client that goes away aborts the read (through `signal`).
 */
import { once } from 'node:events';
import type { ServerResponse } from 'node:http';
import { AppError } from '../../shared/index.js';
import type { ByteRange } from '../artifact.js';
import type { ReadableObject } from '../artifact-pull.js';

export interface ObjectBodyOptions {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  /** Aborts when the client goes away or the server stops. */
  readonly signal: AbortSignal;
  /** Longest wait for the first chunk (a range still upstream), ms. */
  readonly firstByteTimeoutMs: number;
  /** Longest wait for each later chunk, ms. */
  readonly chunkIdleTimeoutMs: number;
  /** Called once, when the first chunk is handed to the socket. */
  readonly onFirstByte: () => void;
  readonly onBytes: (bytes: number) => void;
}

/** Thrown when no chunk came within its timeout, before or after the status line. */
export class ReadStalledError extends AppError {
  constructor(phase: 'first byte' | 'next chunk', ms: number) {
    super('WEIGHTS_SOURCE_TIMEOUT', `no ${phase} from the node cache within ${ms} ms`);
  }
}

/** Resolves `promise`, or rejects when `signal` aborts first (whatever the reader does). */
function raceAbort<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(toAbortError(signal));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(toAbortError(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err instanceof Error ? err : new Error(String(err)));
      },
    );
  });
}

function toAbortError(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new Error('aborted');
}

/**
 * Writes `range` of `object` as the body of `res`. Rejects before the status line was written
 * (nothing sent: the caller answers with an S3 error); after it, destroys `res` and rejects.
 */
export async function writeObjectBody(
  res: ServerResponse,
  object: ReadableObject,
  range: ByteRange,
  options: ObjectBodyOptions,
): Promise<void> {
  const length = range.end - range.start;
  // One controller for the read: aborted by the client/server signal or by a stall timer.
  const read = new AbortController();
  const onParentAbort = () => read.abort(options.signal.reason);
  options.signal.addEventListener('abort', onParentAbort, { once: true });
  if (options.signal.aborted) read.abort(options.signal.reason);
  let timer: NodeJS.Timeout | undefined;
  const arm = (phase: 'first byte' | 'next chunk', ms: number) => {
    clearTimeout(timer);
    timer = setTimeout(() => read.abort(new ReadStalledError(phase, ms)), ms);
  };
  let iterator: AsyncIterator<Uint8Array> | undefined;
  let sent = 0;
  try {
    arm('first byte', options.firstByteTimeoutMs);
    const chunks = await raceAbort(object.read(range, read.signal), read.signal);
    iterator = chunks[Symbol.asyncIterator]();
    let next = await raceAbort(iterator.next(), read.signal);
    if (next.done === true && length > 0)
      throw new AppError(
        'WEIGHTS_INTEGRITY',
        `the node cache returned no bytes of a ${length}-byte range`,
      );
    res.writeHead(options.status, options.headers);
    let first = true;
    while (next.done !== true) {
      const chunk = next.value;
      if (sent + chunk.byteLength > length)
        throw new AppError(
          'WEIGHTS_INTEGRITY',
          `the node cache returned more than the ${length} bytes asked`,
        );
      if (chunk.byteLength > 0) {
        const drained = res.write(chunk);
        sent += chunk.byteLength;
        options.onBytes(chunk.byteLength);
        if (first) options.onFirstByte();
        first = false;
        if (!drained) await once(res, 'drain', { signal: read.signal });
      }
      arm('next chunk', options.chunkIdleTimeoutMs);
      next = await raceAbort(iterator.next(), read.signal);
    }
    if (sent !== length)
      throw new AppError('WEIGHTS_INTEGRITY', `the node cache returned ${sent} of ${length} bytes`);
    res.end();
  } catch (err) {
    // Tell the reader to stop producing; it may be mid-fetch.
    read.abort(err);
    if (res.headersSent) res.destroy(err instanceof Error ? err : undefined);
    throw err;
  } finally {
    clearTimeout(timer);
    options.signal.removeEventListener('abort', onParentAbort);
    // Let a reader that is still open clean up (an async generator's finally blocks run).
    if (iterator?.return !== undefined) iterator.return().catch(() => undefined);
  }
}
