/**
 * Hosts the node weight cache in the agent: the NodeCache under `nodeCachePath`, its routes on
 * the agent API, and (when enabled) the read-through S3 endpoint over it. A cache directory that
 * cannot be opened does not stop the agent (it still scrapes and reports): the weights routes
 * answer WEIGHTS_CACHE_UNAVAILABLE and the error is logged once.
 */
import {
  AppError,
  whenAborted,
  type Clock,
  type Logger,
  type Registry,
  type Runnable,
} from '../shared/index.js';
import { parseArtifactUri, type StreamerSettings } from '../weights/index.js';
import type { ArtifactCredentials } from '../lora/index.js';
import {
  NodeCache,
  ReadThroughServer,
  createArtifactSourceFactory,
  s3SettingsFromEnv,
  streamArtifact,
  type PullHandle,
  type ResolveSource,
  type StreamArtifact,
} from '../weights/adapters/index.js';
import type { AgentConfig } from './agent-config.js';
import type { AgentPostRoute } from './agent-api.js';
import { weightsRoutes, type WeightsApiCache } from './weights-api.js';
import { GIB } from './weights-config.js';

/** Options of {@link createWeights}. */
export interface WeightsWiringOptions {
  readonly config: AgentConfig;
  /** Where artifacts come from; default: the sources the `weights` section allows. */
  readonly resolveSource?: ResolveSource;
  /** The streamer; default the ranged parallel one. */
  readonly stream?: StreamArtifact;
  readonly clock: Clock;
  readonly log: Logger;
  readonly registry: Registry;
}

/** What the agent's main gets: routes for its API and the parts to run. */
export interface WeightsWiring {
  readonly jsonRoutes: Readonly<Record<string, () => unknown>>;
  readonly postRoutes: Readonly<Record<string, AgentPostRoute>>;
  /** The cache's lifetime (pulls stop with it) and the read-through endpoint when enabled. */
  readonly parts: readonly Runnable[];
  /** The cache, for the weight and LoRA commands (an unavailable cache refuses every call). */
  readonly cache: AgentWeightsCache;
}

/** The node cache as the agent's commands use it (NodeCache has it). */
export interface AgentWeightsCache extends WeightsApiCache {
  pull(
    uri: string,
    options: { readonly signal: AbortSignal; readonly resolveSource?: ResolveSource },
  ): PullHandle;
  /** Pins a model against eviction until the returned function is called. */
  hold(key: string): () => void;
}

/**
 * The sources the `weights` section allows: hosts (empty: any public host), private and
 * loopback addresses only when allowed (link-local and metadata never), file:// under its roots,
 * s3 with the configured endpoint and the AWS_* credentials, hf with its endpoint and token.
 * `credentials` (a ModelAdapter's Secret) take the place of the agent's own for that pull.
 */
export function configuredSources(
  weights: AgentConfig['weights'],
  credentials: ArtifactCredentials = {},
): {
  readonly resolve: ResolveSource;
  readonly close: () => void;
} {
  const s3Env = s3SettingsFromEnv(process.env);
  const factory = createArtifactSourceFactory({
    hosts: {
      allowedHosts: weights.allowHosts.length === 0 ? ['*'] : weights.allowHosts,
      allowLoopback: weights.allowPrivateAddresses,
      allowPrivate: weights.allowPrivateAddresses,
    },
    file: { roots: weights.fileRoots },
    s3: {
      ...s3Env,
      region: weights.s3.region,
      forcePathStyle: weights.s3.forcePathStyle || weights.s3.endpoint !== '',
      ...(weights.s3.endpoint === '' ? {} : { endpoint: weights.s3.endpoint }),
      ...(credentials.s3 === undefined ? {} : { credentials: credentials.s3 }),
    },
    hf: {
      endpoint: weights.hfEndpoint,
      ...(weights.hfToken === '' ? {} : { token: weights.hfToken }),
      ...(credentials.hfToken === undefined ? {} : { token: credentials.hfToken }),
    },
    ...(credentials.httpBearer === undefined
      ? {}
      : { httpHeaders: { authorization: `Bearer ${credentials.httpBearer}` } }),
  });
  return {
    resolve: (uri) => {
      const ref = parseArtifactUri(uri);
      return { ref, source: factory.sourceFor(ref) };
    },
    close: () => factory.close(),
  };
}

/** The streamer's settings from the agent's `weights` section. */
export function streamerSettings(weights: AgentConfig['weights']): StreamerSettings {
  return {
    partBytes: weights.partBytes,
    concurrency: weights.concurrency,
    retry: weights.retry,
    partIdleTimeoutMs: weights.partIdleTimeoutMs,
  };
}

/** Builds the cache and its routes; see the file comment. Throws only on a bad read-through config. */
export async function createWeights(options: WeightsWiringOptions): Promise<WeightsWiring> {
  const { config } = options;
  const log = options.log.child({ component: 'weights' });
  const lifetime = new AbortController();
  const sources =
    options.resolveSource === undefined
      ? configuredSources(config.weights)
      : { resolve: options.resolveSource, close: () => undefined };
  const lifetimePart: Runnable = {
    name: 'weights-cache',
    run: async (signal) => {
      await whenAborted(signal);
      lifetime.abort(signal.reason);
      sources.close();
    },
  };
  let cache: AgentWeightsCache & { readonly reader?: NodeCache['reader'] };
  try {
    cache = await NodeCache.open({
      nodeCachePath: config.nodeCachePath,
      budgetBytes: Math.floor(config.weights.diskBudgetGib * GIB),
      resolveSource: sources.resolve,
      stream: options.stream ?? streamArtifact,
      settings: streamerSettings(config.weights),
      listTimeoutMs: config.weights.listTimeoutMs,
      registry: options.registry,
      clock: options.clock,
      log,
      signal: lifetime.signal,
    });
  } catch (err) {
    log.error({ err, path: config.nodeCachePath }, 'weight cache unavailable');
    cache = unavailableCache(config.nodeCachePath, err);
  }
  const routes = weightsRoutes({ cache, signal: lifetime.signal });
  const parts: Runnable[] = [lifetimePart];
  const { enabled, ...readThrough } = config.weights.readThrough;
  if (enabled && cache.reader !== undefined)
    parts.push(
      new ReadThroughServer({
        config: readThrough,
        reader: cache.reader,
        registry: options.registry,
        log: log.child({ component: 'read-through' }),
        clock: options.clock,
      }),
    );
  return { jsonRoutes: routes.json, postRoutes: routes.post, parts, cache };
}

/** The cache's stand-in when its directory cannot be opened: every route says so. */
function unavailableCache(path: string, cause: unknown): AgentWeightsCache {
  const error = (): AppError =>
    new AppError(
      'WEIGHTS_CACHE_UNAVAILABLE',
      `the weight cache under ${path} could not be opened`,
      {
        httpStatus: 503,
        cause,
      },
    );
  return {
    pull: () => {
      throw error();
    },
    list: () => {
      throw error();
    },
    evict: () => Promise.reject(error()),
    evictKey: () => Promise.reject(error()),
    hold: () => {
      throw error();
    },
  };
}
