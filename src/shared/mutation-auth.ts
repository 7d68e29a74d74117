/**
 * Who may call a mutating route of a node-local or control API (a pull, an eviction): with a
 * token configured, only a request carrying `Authorization: Bearer <token>` (compared in constant
 * time); without one, only a server listening on loopback, since anyone who reaches a wider
 * address could otherwise make the cluster download or delete. Each server maps the answer to its
 * own error codes.
 */
import { timingSafeEqual } from 'node:crypto';
import { isLoopbackHost } from './loopback.js';

/** `ok`, or why not: no token configured on a wide address, or a missing/wrong bearer token. */
export type MutationAuth = 'ok' | 'forbidden' | 'unauthorized';

function sameToken(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Decides whether a request with this Authorization header may mutate; see the file comment. */
export function mutationAuth(
  authorization: string | undefined,
  token: string,
  listenHost: string,
): MutationAuth {
  if (token === '') return isLoopbackHost(listenHost) ? 'ok' : 'forbidden';
  const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
  return match?.[1] !== undefined && sameToken(match[1], token) ? 'ok' : 'unauthorized';
}
