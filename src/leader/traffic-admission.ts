/**
 * The gateway's admission policy as the leader runs it: the config file's `limits` and `apiKeys`,
 * with, laid over them, API keys and limits from a watched Secret (Kubernetes) and the
 * RateLimitPolicy resources discovery reports. Every change is applied to the one running policy,
 * so rate-limit counters survive a key rotation or a policy edit. A Secret that cannot be read
 * keeps the keys in force before it (a typo must not open or close the gateway) and is logged
 * and counted.
 */
import type { Redis } from 'ioredis';
import type { CustomResource } from '../discovery/index.js';
import type { TrafficPolicy } from '../traffic/index.js';
import {
  apiKeysFromSecretData,
  withApiKeysDocument,
  type TrafficLimits,
} from '../traffic/index.js';
import { createTrafficPolicy, limitsWithResources, trafficConfigFrom } from '../traffic/index.js';
import { createRateLimitStore } from '../traffic/adapters/index.js';
import {
  AppError,
  Counter,
  Gauge,
  systemClock,
  toError,
  type ConfigOf,
  type Logger,
  type Registry,
} from '../shared/index.js';
import type { LeaderConfigSpec } from './leader-config.js';

/** TrafficPolicy, and the two ways its limits and keys change at run time. */
export interface TrafficAdmission {
  readonly admission: TrafficPolicy;
  /** Lays the RateLimitPolicy resources discovery reports over the config file's limits. */
  readonly applyResources: (resources: readonly CustomResource[]) => void;
  /** Applies an API keys Secret's decoded data; `undefined`: there is no such Secret. */
  readonly applyApiKeysSecret: (data: Readonly<Record<string, string>> | undefined) => void;
}

/** Whether the gateway refuses requests while it has no API key (see `gateway.allowAnonymous`). */
export function requiresApiKeys(config: ConfigOf<LeaderConfigSpec>): boolean {
  return config.discovery === 'kubernetes' && !config.gateway.allowAnonymous;
}

/** The Redis client of the `redis` store; ioredis (~0.1 s, ~25 MiB) is loaded only for it. */
async function redisFor(
  config: ConfigOf<LeaderConfigSpec>,
  log: Logger,
): Promise<Redis | undefined> {
  if (config.traffic.store !== 'redis') return undefined;
  const { Redis } = await import('ioredis');
  const redis = new Redis(config.traffic.redisUrl, {
    commandTimeout: config.traffic.redisCommandTimeoutMs,
    maxRetriesPerRequest: 1,
    enableOfflineQueue: false,
  });
  redis.on('error', (err: unknown) => log.warn({ err: toError(err) }, 'redis connection error'));
  return redis;
}

/**
 * Rate limits, quotas and API keys: the `traffic.*` knobs and the config file's sections, then
 * the Secret's document, then the RateLimitPolicy resources. Counters live in memory, or in
 * Redis for several replicas. Metrics go to `registry` when given.
 */
export async function admissionFor(
  config: ConfigOf<LeaderConfigSpec>,
  file: unknown,
  log: Logger,
  registry?: Registry,
): Promise<TrafficAdmission> {
  const fromFile = trafficConfigFrom(config.traffic, file);
  const redis = await redisFor(config, log);
  const policy = createTrafficPolicy(fromFile, {
    clock: systemClock,
    store: createRateLimitStore(config.traffic, redis === undefined ? {} : { redis }),
    onStoreError: (err) => log.warn({ err }, 'rate-limit store failed: admitting (fail open)'),
    requireApiKeys: requiresApiKeys(config),
  });
  const registers = registry === undefined ? [] : [registry];
  const keysGauge = new Gauge({
    name: 'infernode_leader_api_keys',
    help: 'Gateway API keys in force (config file and Secret)',
    registers,
  });
  const secretErrors = new Counter({
    name: 'infernode_leader_api_keys_secret_errors_total',
    help: 'API keys Secret versions that could not be read (the previous keys stayed in force)',
    registers,
  });
  let fromSecret: TrafficLimits | undefined;
  let resources: readonly CustomResource[] = [];
  let reported = '';
  const apply = (): void => {
    const base = withApiKeysDocument(fromFile, fromSecret);
    const { config: merged, issues } = limitsWithResources(base, resources);
    policy.setLimits(merged);
    policy.setApiKeys(merged.apiKeys);
    keysGauge.set(merged.apiKeys.length);
    // Discovery re-reports unchanged resources; say what is wrong once, not on every change.
    const text = issues.map((i) => `${i.path}: ${i.message}`).join('; ');
    if (text !== '' && text !== reported) log.warn({ issues: text }, 'RateLimitPolicy left out');
    reported = text;
  };
  keysGauge.set(fromFile.apiKeys.length);
  return {
    admission: policy,
    applyResources(next) {
      resources = next;
      apply();
    },
    applyApiKeysSecret(data) {
      const read = apiKeysFromSecretData(data);
      if (!read.ok) {
        secretErrors.inc();
        const detail = read.issues.map((i) => `${i.path}: ${i.message}`).join('; ');
        const err = new AppError(
          'ROUTING_API_KEYS_SECRET_INVALID',
          `API keys Secret not applied (previous keys kept): ${detail}`,
        );
        log.error({ err }, 'API keys Secret invalid; previous keys kept');
        return;
      }
      fromSecret = read.value;
      apply();
      log.info(
        { keys: read.value?.apiKeys.length ?? 0, secret: data !== undefined },
        read.value === undefined ? 'no API keys Secret' : 'API keys Secret applied',
      );
    },
  };
}
