import { LRUCache } from 'lru-cache';
import type { SessionAffinityConfig } from './routing-config.js';
import { boundedKey } from '../kvcache/index.js';

interface SessionEntry {
  readonly endpointId: string;
  readonly lastUsedMs: number;
}

/**
 * Session id → the endpoint it sticks to. LRU-bounded by `maxSessions`; an entry unused for
 * `idleTtlMs` counts as absent (the time is the snapshot's, so tests drive it). Session ids longer
 * than 256 characters are keyed by their hash.
 */
export class SessionTable {
  readonly #entries: LRUCache<string, SessionEntry>;
  readonly #idleTtlMs: number;

  constructor(config: SessionAffinityConfig) {
    this.#entries = new LRUCache({ max: config.maxSessions });
    this.#idleTtlMs = config.idleTtlMs;
  }

  /** The endpoint the session sticks to, if it is known and was used within the idle TTL. */
  lookup(sessionId: string, nowMs: number): string | undefined {
    const entry = this.#entries.get(boundedKey(sessionId));
    if (entry === undefined || nowMs - entry.lastUsedMs > this.#idleTtlMs) return undefined;
    return entry.endpointId;
  }

  /** Records (or refreshes) the session's endpoint. */
  remember(sessionId: string, endpointId: string, nowMs: number): void {
    this.#entries.set(boundedKey(sessionId), { endpointId, lastUsedMs: nowMs });
  }

  /** Sessions held (for tests and metrics). */
  get size(): number {
    return this.#entries.size;
  }
}
