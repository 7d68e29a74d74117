/**
 * How the agent API answers an error: JSON `{ error: { code, message } }` with the stable code
 * and an HTTP status, the same for every route. Also the checks every mutating route passes
 * first: a bearer token when one is configured, and no open mutations on a non-loopback address.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { AppError, mutationAuth, sendJson, type ErrorCode } from '../shared/index.js';

/** Status for codes whose errors carry none (thrown by pure code or by a source). */
const STATUS_BY_CODE: Partial<Record<ErrorCode, number>> = {
  WEIGHTS_BAD_URI: 400,
  WEIGHTS_UNSUPPORTED_SCHEME: 400,
  WEIGHTS_HOST_NOT_ALLOWED: 400,
  WEIGHTS_PATH_ESCAPE: 400,
  WEIGHTS_NOT_FOUND: 404,
  WEIGHTS_IN_USE: 409,
  WEIGHTS_CACHE_FULL: 507,
  WEIGHTS_DISK_FULL: 507,
};

/** The HTTP status of an error at the agent API's edge. */
export function statusOf(err: AppError): number {
  return err.httpStatus ?? STATUS_BY_CODE[err.code] ?? 500;
}

/** Sends `err` as the agent API's JSON error; anything not an AppError is a 500 without detail. */
export function sendAgentError(res: ServerResponse, err: unknown): void {
  if (err instanceof AppError)
    sendJson(res, statusOf(err), { error: { code: err.code, message: err.message } });
  else sendJson(res, 500, { error: { code: 'INTERNAL', message: 'internal error' } });
}

/** The agent API's bad-request error (400 unless said otherwise). */
export function badRequest(message: string, httpStatus = 400): AppError {
  return new AppError('AGENT_BAD_REQUEST', message, { httpStatus });
}

/**
 * Throws unless `req` may mutate: with `apiToken` set, it must carry `Authorization: Bearer
 * <apiToken>` (401 AGENT_UNAUTHORIZED); without one, only an API listening on loopback accepts
 * mutations (403 AGENT_FORBIDDEN), since anyone who reaches the port could otherwise pull or evict.
 */
export function checkMutationAllowed(
  req: IncomingMessage,
  apiToken: string,
  listenHost: string,
): void {
  const auth = mutationAuth(req.headers.authorization, apiToken, listenHost);
  if (auth === 'ok') return;
  if (auth === 'forbidden')
    throw new AppError(
      'AGENT_FORBIDDEN',
      `the agent API listens on ${listenHost} without weights.apiToken: set one (INFERNODE_AGENT_API_TOKEN) to allow pulls and evictions`,
      { httpStatus: 403 },
    );
  throw new AppError('AGENT_UNAUTHORIZED', 'a bearer token (weights.apiToken) is required', {
    httpStatus: 401,
  });
}
