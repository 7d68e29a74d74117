/**
 * Whether an engine's answer goes to the client or another engine is tried instead. Only while
 * nothing reached the client (`mayRetry`: the first attempt): a 5xx is retried elsewhere, and a
 * 404/405/501 that says the engine does not serve this endpoint at all (api-support.ts) is
 * remembered for that engine and retried elsewhere. Everything else is relayed.
 */
import { AppError } from '../shared/index.js';
import { isUnsupportedAnswer } from './api-support.js';
import type { GatewayEndpoint } from './endpoint-catalog.js';
import type { InferenceDeps } from './inference-deps.js';
import type { ApiKind } from './parse-request.js';
import type { UpstreamAnswer } from './upstream-answer.js';

const RETRYABLE_STATUS = new Set([500, 502, 503, 504]);
/** Answers that may mean "this engine does not serve this endpoint" (see api-support.ts). */
const NOT_SERVED_STATUS = new Set([404, 405, 501]);
/** Largest error body read (to tell "not served" from other errors, and to normalize it), bytes. */
export const MAX_ERROR_TEXT_BYTES = 64 * 1024;

/** Relay the answer (with its error body when it was read here), or retry with this error. */
export type AnswerVerdict =
  | { readonly kind: 'relay'; readonly errorText?: string }
  | { readonly kind: 'retry'; readonly error: AppError };

/** What was asked of the engine, for the verdict. */
export interface ScreenedRequest {
  readonly kind: ApiKind;
  /** The request's path, for the error message. */
  readonly path: string | undefined;
  /** Nothing reached the client yet and another attempt is allowed. */
  readonly mayRetry: boolean;
}

/** See the file comment; a retried answer's body is discarded (its socket goes back to the pool). */
export async function screenUpstreamAnswer(
  upstream: UpstreamAnswer,
  endpoint: GatewayEndpoint,
  request: ScreenedRequest,
  deps: Pick<InferenceDeps, 'metrics' | 'apiSupport' | 'clock'>,
): Promise<AnswerVerdict> {
  const status = upstream.statusCode;
  if (request.mayRetry && RETRYABLE_STATUS.has(status)) {
    upstream.discard();
    deps.metrics.upstreamErrors.inc({ kind: `http_${status}` });
    return {
      kind: 'retry',
      error: new AppError('GW_UPSTREAM_ERROR', `engine ${endpoint.name} answered ${status}`),
    };
  }
  if (!NOT_SERVED_STATUS.has(status)) return { kind: 'relay' };
  const errorText = (await upstream.read(MAX_ERROR_TEXT_BYTES)).toString('utf8');
  if (request.mayRetry && isUnsupportedAnswer(status, errorText)) {
    // This engine does not serve this endpoint at all: remember it and try another.
    deps.apiSupport.learnUnsupported(endpoint.id, request.kind, deps.clock.now());
    deps.metrics.upstreamErrors.inc({ kind: 'endpoint_not_served' });
    return {
      kind: 'retry',
      error: new AppError(
        'GW_UPSTREAM_ERROR',
        `engine ${endpoint.name} does not serve ${request.path ?? 'this endpoint'}`,
      ),
    };
  }
  return { kind: 'relay', errorText };
}
