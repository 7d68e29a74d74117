/**
 * Gateway API keys kept outside the config file — on Kubernetes, in a Secret the leader watches
 * (`infernode-api-keys`, data key `keys.yaml`). The document has the config file's `apiKeys` and
 * `limits` sections and nothing else:
 *
 * ```yaml
 * apiKeys:
 *   - { keySha256: <64 hex digits>, user: alice }   # or key: sk-… (≥ 8 characters)
 * limits:
 *   users: { alice: { rpm: 60, tpm: 100000 } }
 * ```
 * Pure: parsing and merging only; the leader decides what to do with a document that fails.
 */
import { parse } from 'yaml';
import type { ConfigIssue } from '../shared/index.js';
import { parseTrafficLimits, type TrafficConfig, type TrafficLimits } from './traffic-config.js';

/** The Secret data key that holds the document. */
export const API_KEYS_DOCUMENT_KEY = 'keys.yaml';

/** Bytes of document read at most (10,000 keys with their users fit well below). */
export const MAX_API_KEYS_DOCUMENT_BYTES = 4 * 1024 * 1024;

const SECTIONS = ['apiKeys', 'limits'];

/** The keys and limits of a document, or every problem with it. */
export function parseApiKeysDocument(
  text: string,
): { ok: true; value: TrafficLimits } | { ok: false; issues: readonly ConfigIssue[] } {
  if (Buffer.byteLength(text, 'utf8') > MAX_API_KEYS_DOCUMENT_BYTES)
    return {
      ok: false,
      issues: [{ path: '', message: `larger than ${MAX_API_KEYS_DOCUMENT_BYTES} bytes` }],
    };
  let doc: unknown;
  try {
    doc = parse(text, { maxAliasCount: 100 });
  } catch (err) {
    return { ok: false, issues: [{ path: '', message: `not YAML: ${(err as Error).message}` }] };
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc))
    return { ok: false, issues: [{ path: '', message: 'expected a map with apiKeys, limits' }] };
  const unknown = Object.keys(doc).filter((k) => !SECTIONS.includes(k));
  if (unknown.length > 0)
    return {
      ok: false,
      issues: unknown.map((k) => ({ path: k, message: 'unknown; valid: apiKeys, limits' })),
    };
  return parseTrafficLimits(doc);
}

/**
 * The config file's traffic settings with a document laid over them: the keys of both (a user
 * may have keys in either), and the document's users, models and defaultUser replacing the
 * file's entries of the same name, as a RateLimitPolicy does.
 */
export function withApiKeysDocument(
  base: TrafficConfig,
  doc: TrafficLimits | undefined,
): TrafficConfig {
  if (doc === undefined) return base;
  return {
    ...base,
    apiKeys: [...base.apiKeys, ...doc.apiKeys],
    users: new Map([...base.users, ...doc.users]),
    models: new Map([...base.models, ...doc.models]),
    defaultUser: doc.defaultUser ?? base.defaultUser,
  };
}

/**
 * The document a Secret's decoded data holds: `undefined` (no keys from it) when there is no
 * Secret; a problem when the Secret lacks {@link API_KEYS_DOCUMENT_KEY} or it does not parse.
 */
export function apiKeysFromSecretData(
  data: Readonly<Record<string, string>> | undefined,
): { ok: true; value: TrafficLimits | undefined } | { ok: false; issues: readonly ConfigIssue[] } {
  if (data === undefined) return { ok: true, value: undefined };
  const text = data[API_KEYS_DOCUMENT_KEY];
  if (text === undefined)
    return {
      ok: false,
      issues: [{ path: API_KEYS_DOCUMENT_KEY, message: 'missing from the Secret' }],
    };
  return parseApiKeysDocument(text);
}
