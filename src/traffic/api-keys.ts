import { createHash, timingSafeEqual } from 'node:crypto';

/** One configured key: its SHA-256 digest and the user it authenticates. */
export interface ApiKeyEntry {
  readonly digest: Buffer;
  readonly user: string;
}

/** SHA-256 of a key as the table stores it. */
export function apiKeyDigest(key: string): Buffer {
  return createHash('sha256').update(key, 'utf8').digest();
}

/** The bearer token of an `Authorization` header, or undefined when there is none. */
export function bearerToken(authorization: string | undefined): string | undefined {
  if (authorization === undefined) return undefined;
  const match = /^\s*bearer\s+(\S+)\s*$/i.exec(authorization);
  return match?.[1];
}

/**
 * Gateway API keys → users. Only SHA-256 digests are held. A presented key is hashed and compared
 * with every configured digest by `crypto.timingSafeEqual`, with no early exit, so the time taken
 * says nothing about which key (or how much of one) matched.
 */
export class ApiKeyTable {
  readonly #entries: readonly ApiKeyEntry[];

  constructor(entries: readonly ApiKeyEntry[]) {
    this.#entries = entries;
  }

  /** True when keys are configured (then every request must carry a valid one). */
  get isEnabled(): boolean {
    return this.#entries.length > 0;
  }

  /** The user a key belongs to, or undefined when it matches no configured key. */
  userOf(key: string): string | undefined {
    const digest = apiKeyDigest(key);
    let user: string | undefined;
    for (const entry of this.#entries) {
      if (timingSafeEqual(digest, entry.digest) && user === undefined) user = entry.user;
    }
    return user;
  }
}
