/**
 * One way to call the Kubernetes API: every call gets an AbortSignal bounded by a named timeout
 * (`kube.requestTimeoutMs`), an optional patch Content-Type, and its failure mapped to a stable
 * `K8S_*` AppError. client-node 1.x takes per-call settings as middleware, so that is how the
 * signal and header reach node-fetch.
 */
import {
  ApiException,
  Observable,
  type ConfigurationOptions,
  type ObservableMiddleware,
  type RequestContext,
  type ResponseContext,
} from '@kubernetes/client-node';
import { AppError, linkedSignal, type ErrorCode } from '../../shared/index.js';
import type { KubeCallOptions } from '../call-options.js';

/** What kubeCall needs besides the caller's options. */
export interface KubeCallSettings extends KubeCallOptions {
  /** Upper bound of one request in ms (`kube.requestTimeoutMs`). */
  readonly timeoutMs: number;
  /** Content-Type for patches, e.g. `application/merge-patch+json`. */
  readonly contentType?: string;
}

/** JSON merge patch (RFC 7386): what infernode uses for every patch. */
export const MERGE_PATCH = 'application/merge-patch+json';

function middleware(signal: AbortSignal, contentType: string | undefined): ObservableMiddleware {
  return {
    pre: (context: RequestContext) => {
      context.setSignal(signal);
      if (contentType !== undefined) context.setHeaderParam('Content-Type', contentType);
      return new Observable(Promise.resolve(context));
    },
    post: (context: ResponseContext) => new Observable(Promise.resolve(context)),
  };
}

function codeForStatus(status: number): ErrorCode {
  if (status === 404) return 'K8S_NOT_FOUND';
  if (status === 409) return 'K8S_CONFLICT';
  if (status === 401 || status === 403) return 'K8S_FORBIDDEN';
  if (status === 400 || status === 422 || status === 415) return 'K8S_INVALID';
  if (status === 429 || status >= 500) return 'K8S_UNAVAILABLE';
  return 'K8S_REQUEST_FAILED';
}

/** The Status message of an error body, when the server sent one. */
function statusMessage(body: unknown): string | undefined {
  let parsed = body;
  if (typeof body === 'string') {
    try {
      parsed = JSON.parse(body);
    } catch {
      return body.slice(0, 200);
    }
  }
  const message = (parsed as { message?: unknown } | null)?.message;
  return typeof message === 'string' ? message : undefined;
}

/**
 * Maps anything a client-node call throws to an AppError: HTTP status → K8S_NOT_FOUND,
 * K8S_CONFLICT, K8S_FORBIDDEN, K8S_INVALID, K8S_UNAVAILABLE; our timeout → K8S_REQUEST_TIMEOUT;
 * anything else (network, caller abort) → K8S_REQUEST_FAILED. The cause is always chained.
 */
export function toKubeError(thrown: unknown, what: string, timedOut: boolean): AppError {
  if (thrown instanceof AppError) return thrown;
  if (thrown instanceof ApiException) {
    const status = thrown.code;
    const message = statusMessage(thrown.body) ?? `HTTP ${status}`;
    return new AppError(codeForStatus(status), `${what}: ${message}`, {
      httpStatus: status,
      cause: thrown,
      detail: { status },
    });
  }
  if (timedOut) return new AppError('K8S_REQUEST_TIMEOUT', `${what}: timed out`, { cause: thrown });
  const message = thrown instanceof Error ? thrown.message : String(thrown);
  return new AppError('K8S_REQUEST_FAILED', `${what}: ${message}`, { cause: thrown });
}

/**
 * Runs one API call with a signal bounded by `settings.timeoutMs` and maps its failure with
 * {@link toKubeError}. Throws K8S_REQUEST_FAILED at once if the caller's signal has aborted.
 */
export async function kubeCall<T>(
  what: string,
  settings: KubeCallSettings,
  call: (options: ConfigurationOptions) => Promise<T>,
): Promise<T> {
  if (settings.signal?.aborted)
    throw new AppError('K8S_REQUEST_FAILED', `${what}: aborted`, { cause: settings.signal.reason });
  // Not AbortSignal.any on the caller's (often process-lifetime) signal: that leaks per call on
  // Node 20 (linked-signal.ts).
  const link = linkedSignal([settings.signal], settings.timeoutMs);
  try {
    return await call({
      middleware: [middleware(link.signal, settings.contentType)],
      middlewareMergeStrategy: 'append',
    });
  } catch (thrown) {
    throw toKubeError(thrown, what, link.timedOut && settings.signal?.aborted !== true);
  } finally {
    link.dispose();
  }
}
