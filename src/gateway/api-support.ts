/**
 * Which engines do not serve which OpenAI endpoint, learned from the engines themselves: an
 * engine that answers a request with 501 (Not Implemented), 405, or a framework's bare route
 * 404 (`{"detail":"Not Found"}`, what vLLM's FastAPI answers for an unmounted route) does not
 * serve that endpoint — an embedding model asked for chat, a generate model asked for
 * embeddings. The gateway then retries the request elsewhere (nothing reached the client) and
 * stops routing that endpoint to the engine for `ttlMs`, after which it is tried again (a
 * restarted engine may serve another model). A 404 for an unknown model is not this: vLLM names
 * the model in its message. Bounded (LRU) and pure: time is passed in.
 */
import { LRUCache } from 'lru-cache';
import type { ApiKind } from './parse-request.js';

/** Default time an engine stays known not to serve an endpoint, ms (10 min). */
export const DEFAULT_UNSUPPORTED_TTL_MS = 600_000;

/** True when an engine's answer says it does not serve the endpoint at all. */
export function isUnsupportedAnswer(status: number, body: string): boolean {
  if (status === 501 || status === 405) return true;
  return status === 404 && /^\s*\{\s*"detail"\s*:\s*"Not Found"\s*\}\s*$/.test(body);
}

/** The engines known not to serve an endpoint kind. */
export class ApiSupport {
  readonly #unsupported: LRUCache<string, number>;
  readonly #ttlMs: number;

  constructor(options: { readonly maxEntries?: number; readonly ttlMs?: number } = {}) {
    this.#ttlMs = options.ttlMs ?? DEFAULT_UNSUPPORTED_TTL_MS;
    this.#unsupported = new LRUCache({ max: options.maxEntries ?? 10_000 });
  }

  /** Records that `engineId` answered `kind` requests as not served. */
  learnUnsupported(engineId: string, kind: ApiKind, nowMs: number): void {
    this.#unsupported.set(`${kind}\u0000${engineId}`, nowMs);
  }

  /** Whether `engineId` is known, within the TTL, not to serve `kind`. */
  isUnsupported(engineId: string, kind: ApiKind, nowMs: number): boolean {
    // Asked for every candidate of every pick, and almost always nothing is known: no key to build.
    if (this.#unsupported.size === 0) return false;
    const learnedAtMs = this.#unsupported.get(`${kind}\u0000${engineId}`);
    return learnedAtMs !== undefined && nowMs - learnedAtMs < this.#ttlMs;
  }
}
