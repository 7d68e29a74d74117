/**
 * OpenAI-shaped error bodies `{"error":{"message","type","code","param"}}` and the mapping from
 * stable error codes to HTTP statuses. This is the only place errors become HTTP.
 */
import { AppError, type ErrorCode } from '../shared/index.js';

/**
 * The error body OpenAI clients parse: the gateway's answers keep this shape whatever went wrong.
 */
export interface OpenAiErrorBody {
  readonly error: {
    readonly message: string;
    readonly type: string;
    readonly code: string | null;
    readonly param: string | null;
  };
}

/** The OpenAI `type` for an HTTP status. */
export function errorType(status: number): string {
  if (status === 400 || status === 404 || status === 413) return 'invalid_request_error';
  if (status === 401) return 'authentication_error';
  if (status === 429) return 'rate_limit_error';
  if (status === 503) return 'overloaded_error';
  return 'api_error';
}

/** Builds the error body for a status. */
export function openAiError(
  status: number,
  message: string,
  code: string | null = null,
  param: string | null = null,
): OpenAiErrorBody {
  return { error: { message, type: errorType(status), code, param } };
}

const STATUS_BY_CODE: Partial<Record<ErrorCode, number>> = {
  GW_BAD_REQUEST: 400,
  GW_BODY_TOO_LARGE: 413,
  GW_UPSTREAM_CONNECT_FAILED: 502,
  GW_UPSTREAM_RESET: 502,
  GW_UPSTREAM_ERROR: 502,
  ROUTING_NO_ENDPOINT: 503,
  GW_UPSTREAM_CONNECT_TIMEOUT: 504,
  GW_UPSTREAM_FIRST_BYTE_TIMEOUT: 504,
  GW_UPSTREAM_STREAM_IDLE_TIMEOUT: 504,
};

/** Status and body for any thrown value; unknown errors are a bland 500 (never a stack trace). */
export function errorResponse(err: unknown): { status: number; body: OpenAiErrorBody } {
  if (err instanceof AppError) {
    const status = err.httpStatus ?? STATUS_BY_CODE[err.code] ?? 500;
    return { status, body: openAiError(status, err.message, err.code.toLowerCase()) };
  }
  return { status: 500, body: openAiError(500, 'internal error', 'internal_error') };
}
