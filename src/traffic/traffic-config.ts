/**
 * Traffic-management config: scalar knobs in {@link trafficConfigSpec} (flags/env/file like every
 * other key) plus the structured file sections `limits` and `apiKeys`, validated here with every
 * problem reported at once:
 *
 * ```yaml
 * limits:
 *   users: { alice: { rpm: 60, tpm: 100000 } }
 *   defaultUser: { rpm: 100, tpm: 200000 }   # users without an entry of their own
 *   models: { m: { rps: 10 } }
 * apiKeys:
 *   - { key: sk-alice-…, user: alice }        # or keySha256: <64 hex digits>
 * ```
 * A missing field means no limit on that dimension; a user's entry replaces `defaultUser` whole.
 */
import { ConfigError, int, str, type ConfigIssue } from '../shared/index.js';
import { apiKeyDigest, type ApiKeyEntry } from './api-keys.js';

/** Scalar traffic knobs. */
export const trafficConfigSpec = {
  store: str('memory', 'rate-limit state: memory (one gateway replica) or redis (shared)', {
    oneOf: ['memory', 'redis'],
  }),
  redisUrl: str('redis://127.0.0.1:6379', 'Redis URL when store is redis'),
  redisKeyPrefix: str(
    'infernode:{rl}:',
    'prefix of every rate-limit key in Redis; the {hash tag} keeps them in one cluster slot',
  ),
  redisCommandTimeoutMs: int(250, 'timeout of one Redis rate-limit call, ms', { min: 1 }),
  memoryMaxKeys: int(100_000, 'rate-limit keys kept in memory (LRU)', { min: 1 }),
  defaultMaxTokensReservation: int(
    1024,
    'output tokens reserved for a request without max_tokens; settled to the real usage after',
    { min: 0 },
  ),
} as const;

/** Per-user limits; undefined = unlimited on that dimension. */
export interface UserLimits {
  readonly rpm?: number;
  readonly tpm?: number;
}

/** Per-model limits. */
export interface ModelLimits {
  readonly rps?: number;
}

/** The validated `limits` and `apiKeys` sections. */
export interface TrafficLimits {
  readonly users: ReadonlyMap<string, UserLimits>;
  readonly defaultUser: UserLimits | undefined;
  readonly models: ReadonlyMap<string, ModelLimits>;
  readonly apiKeys: readonly ApiKeyEntry[];
}

/** Everything createTrafficPolicy needs. */
export interface TrafficConfig extends TrafficLimits {
  /** Output tokens reserved when `max_tokens` is absent (default 1024). */
  readonly defaultMaxTokensReservation: number;
}

/** Users, models and keys a config may name: bounds on the maps built from it. */
export const MAX_CONFIGURED_ENTRIES = 10_000;

const isObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

function rates<K extends string>(
  raw: unknown,
  path: string,
  fields: readonly K[],
  issues: ConfigIssue[],
): Partial<Record<K, number>> {
  const out: Partial<Record<K, number>> = {};
  if (!isObject(raw)) {
    issues.push({ path, message: `expected an object with ${fields.join('/')}` });
    return out;
  }
  for (const key of Object.keys(raw)) {
    const value = raw[key];
    if (!(fields as readonly string[]).includes(key)) {
      issues.push({ path: `${path}.${key}`, message: `unknown; valid: ${fields.join(', ')}` });
    } else if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
      issues.push({
        path: `${path}.${key}`,
        message: `must be a number > 0, got ${JSON.stringify(value)}`,
      });
    } else out[key as K] = value;
  }
  return out;
}

function namedRates<K extends string>(
  raw: unknown,
  path: string,
  fields: readonly K[],
  issues: ConfigIssue[],
): Map<string, Partial<Record<K, number>>> {
  const out = new Map<string, Partial<Record<K, number>>>();
  if (raw === undefined) return out;
  if (!isObject(raw)) {
    issues.push({ path, message: 'expected a map of names' });
    return out;
  }
  const names = Object.keys(raw);
  if (names.length > MAX_CONFIGURED_ENTRIES)
    issues.push({ path, message: `at most ${MAX_CONFIGURED_ENTRIES} entries` });
  for (const name of names.slice(0, MAX_CONFIGURED_ENTRIES))
    out.set(name, rates(raw[name], `${path}.${name}`, fields, issues));
  return out;
}

function apiKeys(raw: unknown, issues: ConfigIssue[]): ApiKeyEntry[] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) {
    issues.push({ path: 'apiKeys', message: 'expected a list of {key | keySha256, user}' });
    return [];
  }
  if (raw.length > MAX_CONFIGURED_ENTRIES)
    issues.push({ path: 'apiKeys', message: `at most ${MAX_CONFIGURED_ENTRIES} keys` });
  const out: ApiKeyEntry[] = [];
  raw.slice(0, MAX_CONFIGURED_ENTRIES).forEach((entry: unknown, i) => {
    const path = `apiKeys[${i}]`;
    if (!isObject(entry) || typeof entry.user !== 'string' || entry.user === '') {
      issues.push({ path, message: 'needs a non-empty user' });
      return;
    }
    const { key, keySha256 } = entry;
    if (typeof key === 'string' && key.length >= 8 && keySha256 === undefined) {
      out.push({ digest: apiKeyDigest(key), user: entry.user });
    } else if (
      typeof keySha256 === 'string' &&
      /^[0-9a-f]{64}$/i.test(keySha256) &&
      key === undefined
    ) {
      out.push({ digest: Buffer.from(keySha256, 'hex'), user: entry.user });
    } else {
      issues.push({
        path,
        message: 'needs exactly one of key (≥ 8 characters) or keySha256 (64 hex digits)',
      });
    }
  });
  return out;
}

/**
 * Validates the `limits` and `apiKeys` sections of a parsed config file (either may be absent).
 * Returns the limits, or every problem found.
 */
export function parseTrafficLimits(
  file: unknown,
):
  | { readonly ok: true; readonly value: TrafficLimits }
  | { readonly ok: false; readonly issues: readonly ConfigIssue[] } {
  const issues: ConfigIssue[] = [];
  const root = isObject(file) ? file : {};
  const limits = root.limits;
  if (limits !== undefined && !isObject(limits))
    issues.push({ path: 'limits', message: 'expected an object with users, defaultUser, models' });
  const section = isObject(limits) ? limits : {};
  for (const key of Object.keys(section))
    if (!['users', 'defaultUser', 'models'].includes(key))
      issues.push({ path: `limits.${key}`, message: 'unknown; valid: users, defaultUser, models' });
  const value: TrafficLimits = {
    users: namedRates(section.users, 'limits.users', ['rpm', 'tpm'], issues),
    defaultUser:
      section.defaultUser === undefined
        ? undefined
        : rates(section.defaultUser, 'limits.defaultUser', ['rpm', 'tpm'], issues),
    models: namedRates(section.models, 'limits.models', ['rps'], issues),
    apiKeys: apiKeys(root.apiKeys, issues),
  };
  return issues.length > 0 ? { ok: false, issues } : { ok: true, value };
}

/**
 * The traffic config from the loaded scalar knobs and the parsed config file. Throws one
 * ConfigError (code CONFIG_INVALID) listing every problem in the file sections.
 */
export function trafficConfigFrom(
  knobs: { readonly defaultMaxTokensReservation: number },
  file: unknown,
): TrafficConfig {
  const parsed = parseTrafficLimits(file);
  if (!parsed.ok) throw new ConfigError(parsed.issues);
  return { ...parsed.value, defaultMaxTokensReservation: knobs.defaultMaxTokensReservation };
}
