/**
 * Reads an inference request's body under three bounds: its own size (`maxBodyBytes`, 413), the
 * process-wide budget of body bytes in flight (503 + Retry-After when it is spent), and a
 * deadline for the whole body (`bodyTimeoutMs`, 408) so a client that stalls mid-body holds a
 * socket for seconds, not for Node's 300 s default. On refusal nothing more is read: the caller
 * answers and drains what is left (see reply-and-linger.ts).
 */
import type { IncomingMessage } from 'node:http';
import { AppError } from '../shared/index.js';
import type { BodyLease } from './body-budget.js';

/** The bounds one body is read under. */
export interface BodyReadLimits {
  /** Largest body accepted, bytes (413 above). */
  readonly maxBodyBytes: number;
  /** The whole body must arrive within this many ms of the first read (408 after). */
  readonly bodyTimeoutMs: number;
}

const tooLarge = (limitBytes: number, detail: string): AppError =>
  new AppError(
    'GW_BODY_TOO_LARGE',
    `request body ${detail}exceeds the limit of ${limitBytes} bytes`,
    { httpStatus: 413 },
  );

const overloaded = (): AppError =>
  new AppError(
    'GW_OVERLOADED',
    'the gateway holds as many request bodies as it may; retry shortly',
    { httpStatus: 503 },
  );

/**
 * Resolves with the whole body. Takes a declared `Content-Length` from `lease` before reading
 * (so a body that cannot fit is refused before it is sent), a chunked body chunk by chunk.
 * Rejects with an AppError: GW_BODY_TOO_LARGE (413), GW_OVERLOADED (503), GW_BODY_TIMEOUT (408),
 * GW_BAD_REQUEST (400) when the client aborts. The lease stays with the caller, who releases it
 * when the response is done.
 */
export function readRequestBody(
  req: IncomingMessage,
  lease: BodyLease,
  limits: BodyReadLimits,
): Promise<Buffer> {
  const { maxBodyBytes, bodyTimeoutMs } = limits;
  const header = req.headers['content-length'];
  const declared = header === undefined ? undefined : Number(header);
  if (declared !== undefined && declared > maxBodyBytes)
    return Promise.reject(tooLarge(maxBodyBytes, `of ${declared} bytes `));
  if (declared !== undefined && !lease.grow(declared)) return Promise.reject(overloaded());
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const stop = (err: AppError | undefined): void => {
      clearTimeout(timer);
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('aborted', onAborted);
      if (err === undefined) return;
      // Leave the rest unread: whoever answers decides how much of it to drain.
      req.pause();
      reject(err);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > maxBodyBytes) stop(tooLarge(maxBodyBytes, ''));
      else if (declared === undefined && !lease.grow(chunk.length)) stop(overloaded());
      else chunks.push(chunk);
    };
    const onEnd = (): void => {
      stop(undefined);
      resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size));
    };
    const onError = (err: Error): void =>
      stop(
        new AppError('GW_BAD_REQUEST', `request body could not be read: ${err.message}`, {
          httpStatus: 400,
          cause: err,
        }),
      );
    const onAborted = (): void => onError(new Error('client aborted'));
    const timer = setTimeout(
      () =>
        stop(
          new AppError('GW_BODY_TIMEOUT', `request body not received within ${bodyTimeoutMs} ms`, {
            httpStatus: 408,
          }),
        ),
      bodyTimeoutMs,
    );
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('aborted', onAborted);
  });
}
