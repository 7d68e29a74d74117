/**
 * vLLM's `--kv-events-config` (vllm/config/kv_events.py KVEventsConfig): a JSON object with
 * vLLM's field names, parsed as vLLM does. Events are published only when
 * `enable_kv_cache_events` is true and the publisher is "zmq" (v0.11 picks "zmq" when events
 * are enabled and no publisher is named, "null" otherwise).
 */
import { AppError } from '../shared/index.js';

/** The resolved KV events settings of one engine. */
export interface KvEventsConfig {
  readonly enableKvCacheEvents: boolean;
  readonly publisher: 'null' | 'zmq';
  /** The PUB socket: bound when it has a wildcard (`tcp://*:5557`) or is ipc/inproc, else connected. */
  readonly endpoint: string;
  /** The replay ROUTER socket, always bound; null = no replay. */
  readonly replayEndpoint: string | null;
  /** Batches kept for replay. */
  readonly bufferSteps: number;
  /** The PUB socket's send high-water mark, messages. */
  readonly hwm: number;
  /** Batches waiting to be sent, at most. */
  readonly maxQueueSize: number;
  /** The first frame of every published message. */
  readonly topic: string;
}

/** vLLM's defaults. */
export const KV_EVENTS_DEFAULTS: KvEventsConfig = {
  enableKvCacheEvents: false,
  publisher: 'null',
  endpoint: 'tcp://*:5557',
  replayEndpoint: null,
  bufferSteps: 10_000,
  hwm: 100_000,
  maxQueueSize: 100_000,
  topic: '',
};

const FIELDS = new Set([
  'enable_kv_cache_events',
  'publisher',
  'endpoint',
  'replay_endpoint',
  'buffer_steps',
  'hwm',
  'max_queue_size',
  'topic',
]);

/** Parses the flag's JSON (or an already parsed object); throws CONFIG_INVALID naming each problem. */
export function parseKvEventsConfig(raw: string | Record<string, unknown>): KvEventsConfig {
  let o: unknown = raw;
  if (typeof raw === 'string') {
    try {
      o = JSON.parse(raw);
    } catch (err) {
      throw new AppError(
        'CONFIG_INVALID',
        `--kv-events-config: not JSON: ${(err as Error).message}`,
      );
    }
  }
  if (typeof o !== 'object' || o === null || Array.isArray(o))
    throw new AppError('CONFIG_INVALID', '--kv-events-config: expected a JSON object');
  const obj = o as Record<string, unknown>;
  const problems: string[] = [];
  for (const key of Object.keys(obj)) if (!FIELDS.has(key)) problems.push(`unknown field "${key}"`);
  const bool = (key: string, dflt: boolean): boolean => {
    const v = obj[key];
    if (v === undefined) return dflt;
    if (typeof v !== 'boolean') problems.push(`${key}: expected a boolean`);
    return v === true;
  };
  const str = (key: string, dflt: string): string => {
    const v = obj[key];
    if (v === undefined || v === null) return dflt;
    if (typeof v !== 'string') problems.push(`${key}: expected a string`);
    return typeof v === 'string' ? v : dflt;
  };
  const int = (key: string, dflt: number): number => {
    const v = obj[key];
    if (v === undefined) return dflt;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 10_000_000) {
      problems.push(`${key}: expected an integer from 1 to 10000000`);
      return dflt;
    }
    return v;
  };
  const enable = bool('enable_kv_cache_events', false);
  const publisherRaw = obj.publisher ?? (enable ? 'zmq' : 'null');
  if (publisherRaw !== 'zmq' && publisherRaw !== 'null')
    problems.push(`publisher: expected "zmq" or "null", got ${JSON.stringify(publisherRaw)}`);
  const replay = obj.replay_endpoint;
  if (replay !== undefined && replay !== null && typeof replay !== 'string')
    problems.push('replay_endpoint: expected a string or null');
  const config: KvEventsConfig = {
    enableKvCacheEvents: enable,
    publisher: publisherRaw === 'zmq' ? 'zmq' : 'null',
    endpoint: str('endpoint', KV_EVENTS_DEFAULTS.endpoint),
    replayEndpoint: typeof replay === 'string' ? replay : null,
    bufferSteps: int('buffer_steps', KV_EVENTS_DEFAULTS.bufferSteps),
    hwm: int('hwm', KV_EVENTS_DEFAULTS.hwm),
    maxQueueSize: int('max_queue_size', KV_EVENTS_DEFAULTS.maxQueueSize),
    topic: str('topic', KV_EVENTS_DEFAULTS.topic),
  };
  if (problems.length > 0)
    throw new AppError('CONFIG_INVALID', `--kv-events-config: ${problems.join('; ')}`);
  return config;
}

/** Whether an engine with this config publishes events. */
export const publishesKvEvents = (c: KvEventsConfig): boolean =>
  c.enableKvCacheEvents && c.publisher === 'zmq';
