/**
 * How an upstream's status or socket error becomes a WEIGHTS_* AppError, the same for the
 * http, hub and s3 sources, so the streamer decides what to retry from the code alone:
 * SOURCE_FAILED and SOURCE_TIMEOUT are worth another try; NOT_FOUND, UNAUTHORIZED,
 * SOURCE_CHANGED, HOST_NOT_ALLOWED and ABORTED are not.
 */
import { AppError, type ErrorCode } from '../../shared/index.js';

/** The code for an HTTP status that is not a success. */
export function codeForStatus(status: number): ErrorCode {
  if (status === 401 || status === 403) return 'WEIGHTS_UNAUTHORIZED';
  if (status === 404 || status === 410) return 'WEIGHTS_NOT_FOUND';
  // 412: an If-Match failed; 416: the object shrank under a range asked of its listed size.
  if (status === 412 || status === 416) return 'WEIGHTS_SOURCE_CHANGED';
  return 'WEIGHTS_SOURCE_FAILED';
}

/** The HTTP status an agent answers for each code, for the pull endpoint. */
function httpStatusOf(code: ErrorCode): number {
  if (code === 'WEIGHTS_NOT_FOUND') return 404;
  if (code === 'WEIGHTS_UNAUTHORIZED') return 403;
  if (code === 'WEIGHTS_SOURCE_CHANGED') return 409;
  if (code === 'WEIGHTS_SOURCE_TIMEOUT') return 504;
  return 502;
}

/** An AppError for a non-success status from `what` (a URL or `s3://bucket/key`). */
export function statusError(status: number, what: string, detail?: string): AppError {
  const code = codeForStatus(status);
  return new AppError(
    code,
    `${what} answered ${status}${detail === undefined ? '' : `: ${detail}`}`,
    {
      httpStatus: httpStatusOf(code),
      detail: { status },
    },
  );
}

/** The error for a read whose object changed since it was listed. */
export function sourceChanged(what: string, why: string): AppError {
  return new AppError('WEIGHTS_SOURCE_CHANGED', `${what} changed since it was listed: ${why}`, {
    httpStatus: 409,
  });
}

/**
 * Maps anything thrown by a socket, a request or a body to an AppError: AppErrors pass through;
 * the caller's abort is WEIGHTS_ABORTED; `timedOut` is WEIGHTS_SOURCE_TIMEOUT; the rest
 * (reset, refused, truncated, DNS failure) is WEIGHTS_SOURCE_FAILED.
 */
export function transportError(
  err: unknown,
  what: string,
  state: { readonly callerAborted: boolean; readonly timedOut: boolean },
): AppError {
  if (err instanceof AppError) return err;
  if (state.callerAborted)
    return new AppError('WEIGHTS_ABORTED', `${what}: aborted`, { httpStatus: 499, cause: err });
  const message = err instanceof Error ? err.message : String(err);
  if (state.timedOut)
    return new AppError('WEIGHTS_SOURCE_TIMEOUT', `${what}: timed out (${message})`, {
      httpStatus: 504,
      cause: err,
    });
  const errno = (err as { code?: unknown } | null)?.code;
  return new AppError(
    'WEIGHTS_SOURCE_FAILED',
    `${what}: ${typeof errno === 'string' ? `${errno} ` : ''}${message}`,
    { httpStatus: 502, cause: err },
  );
}
