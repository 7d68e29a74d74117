import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Constant-time check of an `Authorization: Bearer <token>` header against the expected token.
 * Both sides are hashed first so the comparison does not leak the token's length.
 */
export function bearerMatches(header: string | undefined, expectedToken: string): boolean {
  if (!header?.startsWith('Bearer ')) return false;
  const given = createHash('sha256').update(header.slice('Bearer '.length)).digest();
  const want = createHash('sha256').update(expectedToken).digest();
  return timingSafeEqual(given, want);
}
