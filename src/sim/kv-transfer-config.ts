/**
 * The simulator's `--kv-transfer-config`, shaped like vLLM's (KVTransferConfig): a JSON object
 * with kv_connector, kv_role and kv_connector_extra_config. The one connector the simulator
 * knows is "InfernodeConnector": it saves the blocks its engine computes to its node agent's native
 * block service (`ikv://host:port`) and loads a prompt's missing prefix from there when the
 * modeled transfer beats recomputing it. Absent or null: no connector (vLLM's default).
 */
import { AppError } from '../shared/index.js';

/** The connector name the simulator implements. */
export const INFERNODE_CONNECTOR = 'InfernodeConnector';

/** vLLM's kv_role values; kv_producer only offloads, kv_consumer only loads. */
export const KV_ROLES = ['kv_both', 'kv_producer', 'kv_consumer'] as const;
/** One of KV_ROLES. */
export type KvRole = (typeof KV_ROLES)[number];

/** Default share of the true KV bytes really moved: 1/64, so a bench fits one machine's RAM. */
export const DEFAULT_KV_BYTES_FRACTION = 1 / 64;
/** Default modeled link bandwidth, bytes/s: 100 GbE. */
export const DEFAULT_KV_LINK_BYTES_PER_S = 12.5e9;

/** The resolved connector settings. */
export interface KvTransferConfig {
  readonly kvConnector: typeof INFERNODE_CONNECTOR;
  readonly kvRole: KvRole;
  /** The node agent's block service, `ikv://host:port`. */
  readonly url: string;
  /** The cluster's KV token ('' for a service without auth). */
  readonly token: string;
  /** Real payload bytes per block = true KV bytes × this (0 < f ≤ 1). */
  readonly bytesFraction: number;
  /** Modeled link bandwidth, bytes/s: the transfer time the decision and TTFT use. */
  readonly linkBytesPerS: number;
  /** Bound of one block-service call, ms. */
  readonly timeoutMs: number;
  /** Evicted blocks waiting to be offloaded at most; more are dropped (and counted). */
  readonly maxOffloadQueue: number;
  /** Offload puts in flight at once (LMCache-style asynchronous offload; the step never waits). */
  readonly maxOffloadInFlight: number;
}

/**
 * Default offload queue: an engine computes ~1.5k blocks/s in bursts under a long-context trace, so
 * the queue must absorb several seconds of a burst while the puts drain it (still bounded).
 */
export const DEFAULT_KV_MAX_OFFLOAD_QUEUE = 65_536;
/** Default puts in flight: enough to hide a loaded machine's round trip behind the next batch. */
export const DEFAULT_KV_MAX_OFFLOAD_IN_FLIGHT = 4;

const EXTRA_FIELDS = new Set([
  'url',
  'token',
  'bytesFraction',
  'linkBytesPerS',
  'timeoutMs',
  'maxOffloadQueue',
  'maxOffloadInFlight',
]);
const TOP_FIELDS = new Set([
  'kv_connector',
  'kv_role',
  'kv_connector_extra_config',
  'engine_id',
  'kv_buffer_device',
]);

/** Parses `--kv-transfer-config` (JSON text or object); null when empty or null. */
export function parseKvTransferConfig(raw: unknown): KvTransferConfig | null {
  let o = raw;
  if (typeof raw === 'string') {
    if (raw.trim() === '') return null;
    try {
      o = JSON.parse(raw);
    } catch (err) {
      throw new AppError('CONFIG_INVALID', `--kv-transfer-config: not JSON (${String(err)})`);
    }
  }
  if (o === null || o === undefined) return null;
  if (typeof o !== 'object' || Array.isArray(o))
    throw new AppError('CONFIG_INVALID', '--kv-transfer-config: expected a JSON object');
  const top = o as Record<string, unknown>;
  const problems: string[] = [];
  for (const key of Object.keys(top))
    if (!TOP_FIELDS.has(key)) problems.push(`unknown field "${key}"`);
  if (top.kv_connector !== INFERNODE_CONNECTOR)
    problems.push(
      `kv_connector: expected "${INFERNODE_CONNECTOR}", got ${JSON.stringify(top.kv_connector)}`,
    );
  const role = top.kv_role ?? 'kv_both';
  if (!KV_ROLES.includes(role as KvRole))
    problems.push(`kv_role: expected one of ${KV_ROLES.join(', ')}, got ${JSON.stringify(role)}`);
  const extraRaw = top.kv_connector_extra_config ?? {};
  const extra = (
    typeof extraRaw === 'object' && !Array.isArray(extraRaw) ? extraRaw : {}
  ) as Record<string, unknown>;
  if (extra !== extraRaw) problems.push('kv_connector_extra_config: expected an object');
  for (const key of Object.keys(extra))
    if (!EXTRA_FIELDS.has(key)) problems.push(`kv_connector_extra_config: unknown field "${key}"`);
  const url = extra.url;
  if (typeof url !== 'string' || !/^ikv:\/\/[^/]+:\d+$/.test(url))
    problems.push('kv_connector_extra_config.url: expected "ikv://host:port"');
  if (extra.token !== undefined && typeof extra.token !== 'string')
    problems.push('kv_connector_extra_config.token: expected a string');
  const num = (key: string, dflt: number, ok: (v: number) => boolean, what: string): number => {
    const v = extra[key];
    if (v === undefined) return dflt;
    if (typeof v !== 'number' || !Number.isFinite(v) || !ok(v)) {
      problems.push(`kv_connector_extra_config.${key}: expected ${what}`);
      return dflt;
    }
    return v;
  };
  const config: KvTransferConfig = {
    kvConnector: INFERNODE_CONNECTOR,
    kvRole: role as KvRole,
    url: typeof url === 'string' ? url : '',
    token: typeof extra.token === 'string' ? extra.token : '',
    bytesFraction: num(
      'bytesFraction',
      DEFAULT_KV_BYTES_FRACTION,
      (v) => v > 0 && v <= 1,
      'a number in (0, 1]',
    ),
    linkBytesPerS: num('linkBytesPerS', DEFAULT_KV_LINK_BYTES_PER_S, (v) => v > 0, 'a number > 0'),
    timeoutMs: num('timeoutMs', 2000, (v) => Number.isInteger(v) && v >= 1, 'an integer ≥ 1'),
    maxOffloadQueue: num(
      'maxOffloadQueue',
      DEFAULT_KV_MAX_OFFLOAD_QUEUE,
      (v) => Number.isInteger(v) && v >= 1 && v <= 1_000_000,
      'an integer from 1 to 1000000',
    ),
    maxOffloadInFlight: num(
      'maxOffloadInFlight',
      DEFAULT_KV_MAX_OFFLOAD_IN_FLIGHT,
      (v) => Number.isInteger(v) && v >= 1 && v <= 64,
      'an integer from 1 to 64',
    ),
  };
  if (problems.length > 0)
    throw new AppError('CONFIG_INVALID', `--kv-transfer-config: ${problems.join('; ')}`);
  return config;
}
