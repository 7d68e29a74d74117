/**
 * The node's weight cache: each artifact fetched once per node into `staging/<key>/`, published
 * by one directory rename into `models/<key>/`, kept under a disk budget by evicting whole idle
 * models least recently used first (cache-ledger.ts). Concurrent pulls of one artifact share one
 * fetch (shared-fetch.ts); a hit costs no network request. Layout: cache-layout.ts; the
 * read-through endpoint's mapping: cache-reader.ts. A miss runs in cache-pull-run.ts; what can be
 * served while pulling: cache-servable.ts.
 *
 * Accounting is synchronous (one JS turn decides and records a reservation or an eviction), so
 * two pulls can never both count the same free bytes or evict the same model.
 */
import { join } from 'node:path';
import { AppError } from '../../shared/index.js';
import { artifactCacheKey, isArtifactCacheKey, type PullProgress } from '../index.js';
import { prepareCacheDirs, writeManifest, type ModelManifest } from './cache-layout.js';
import { completeProgress, queuedProgress } from './pull-progress.js';
import { CacheLedger } from './cache-ledger.js';
import { WeightsCacheMetrics } from './cache-metrics.js';
import { NodeCacheReader, type ServableModel, type ServableStore } from './cache-reader.js';
import type {
  CacheContents,
  CachedModel,
  NodeCacheOptions,
  PullHandle,
  ResolveSource,
} from './node-cache-types.js';
import { fetchForReader } from './reader-fetch.js';
import type { ActivePull } from './active-pull.js';
import { startPull, sumSizes, type PullRunContext } from './cache-pull-run.js';
import { servableModels, type ServableState } from './cache-servable.js';

/** The node cache; build with {@link NodeCache.open}. */
export class NodeCache implements ServableStore {
  readonly #options: NodeCacheOptions;
  readonly #ledger: CacheLedger;
  readonly #metrics: WeightsCacheMetrics;
  readonly #pulls = new Map<string, ActivePull>();
  readonly #pullContext: PullRunContext;
  readonly #servableState: ServableState;
  /** The read-through endpoint's view of this cache (see cache-reader.ts for the mapping). */
  readonly reader: NodeCacheReader;

  private constructor(options: NodeCacheOptions, ledger: CacheLedger) {
    this.#options = options;
    this.#ledger = ledger;
    this.reader = new NodeCacheReader(this);
    this.#metrics = new WeightsCacheMetrics(options.registry, {
      bytesOnDisk: () => this.#bytesOnDisk(),
      budgetBytes: () => options.budgetBytes,
      pullsInFlight: () => this.#pulls.size,
      partsInFlight: () => this.#sumOverPulls((p) => p.partsInFlight),
    });
    const modelDir = (key: string): string => this.#modelDir(key);
    this.#pullContext = {
      options,
      ledger,
      metrics: this.#metrics,
      pulls: this.#pulls,
      modelDir,
      cachedModel: (m) => this.#cachedModel(m),
    };
    this.#servableState = { models: ledger.models, pulls: this.#pulls, modelDir };
  }

  /**
   * Opens the cache at `<nodeCachePath>/weights/`: published models are known again, stray
   * staging directories are kept for resume (and count against the budget), trash is emptied.
   */
  static async open(options: NodeCacheOptions): Promise<NodeCache> {
    const ledger = new CacheLedger(await prepareCacheDirs(options.nodeCachePath), options.log);
    await ledger.scan();
    options.log.info(
      { models: ledger.models.size, partial: ledger.partials.size },
      'weight cache opened',
    );
    return new NodeCache(options, ledger);
  }

  /**
   * Pulls `uri` into the cache. Throws (synchronously) AppError WEIGHTS_* when the URI is bad or
   * refused. A hit answers at once without touching the network; otherwise the caller joins the
   * artifact's one fetch. `signal` ends this caller's wait only (see {@link SharedFetch}).
   * `resolveSource` replaces the cache's own for this pull (a LoRA adapter's own credentials);
   * a fetch of the same artifact already under way is joined whatever its source.
   */
  pull(
    uri: string,
    options: { readonly signal: AbortSignal; readonly resolveSource?: ResolveSource },
  ): PullHandle {
    const { ref, source } = (options.resolveSource ?? this.#options.resolveSource)(uri);
    const key = artifactCacheKey(ref.uri);
    const model = this.#ledger.models.get(key);
    if (model !== undefined) {
      this.#metrics.hits.inc();
      const touched = this.#touch(model);
      return {
        key,
        uri: ref.uri,
        progress: () => completeProgress(touched),
        done: Promise.resolve(this.#cachedModel(touched)),
      };
    }
    const active = this.#pulls.get(key) ?? startPull(key, ref, source, this.#pullContext);
    const done = active.fetch.join(options.signal);
    // A handle whose caller never awaits must not become an unhandled rejection.
    done.catch(() => undefined);
    return { key, uri: ref.uri, progress: () => this.#progressOf(active), done };
  }

  /**
   * Pins the model `key` (published or being pulled) against eviction: an engine reading it, a
   * read-through reader. Throws WEIGHTS_NOT_FOUND (404) for a key the cache does not have.
   */
  hold(key: string): () => void {
    if (!this.#ledger.models.has(key) && !this.#pulls.has(key))
      throw new AppError('WEIGHTS_NOT_FOUND', `no model ${key} in the node cache`, {
        httpStatus: 404,
      });
    return this.#ledger.hold(key, () => {
      const model = this.#ledger.models.get(key);
      if (model !== undefined) this.#touch(model);
    });
  }

  /** Evicts the model of `uri` (the `weights.evict` command); see {@link evictKey}. */
  evict(uri: string): Promise<{ readonly key: string; readonly bytes: number }> {
    return this.evictKey(artifactCacheKey(this.#options.resolveSource(uri).ref.uri));
  }

  /**
   * Removes the published model or partial pull `key`. Refuses with WEIGHTS_IN_USE (409) a model
   * held by an engine or reader or being pulled; WEIGHTS_NOT_FOUND (404) when there is nothing.
   */
  async evictKey(key: string): Promise<{ readonly key: string; readonly bytes: number }> {
    const inUse = (why: string): AppError =>
      new AppError('WEIGHTS_IN_USE', `model ${key} is ${why}; it was not evicted`, {
        httpStatus: 409,
      });
    if (this.#pulls.has(key)) throw inUse('being pulled');
    const holds = this.#ledger.holds(key);
    if (holds > 0) throw inUse(`in use (${holds} hold${holds === 1 ? '' : 's'})`);
    const model = isArtifactCacheKey(key) ? this.#ledger.models.get(key) : undefined;
    const partials = isArtifactCacheKey(key)
      ? [...this.#ledger.partials.values()].filter((p) => p.key === key)
      : [];
    if (model === undefined && partials.length === 0)
      throw new AppError('WEIGHTS_NOT_FOUND', `no model ${key} in the node cache`, {
        httpStatus: 404,
      });
    const bytes = (model?.bytes ?? 0) + sumSizes(partials.map((p) => ({ size: p.bytes })));
    await Promise.all([
      this.#ledger.evictModel(key),
      ...partials.map((p) => this.#ledger.remove(p.dir)),
    ]);
    return { key, bytes };
  }

  /** What the cache holds and fetches (`GET /v1/weights`). */
  list(): CacheContents {
    return {
      budgetBytes: this.#options.budgetBytes,
      bytesOnDisk: this.#bytesOnDisk(),
      models: [...this.#ledger.models.values()].map((m) => ({
        uri: m.uri,
        key: m.key,
        path: this.#modelDir(m.key),
        bytes: m.bytes,
        publishedAtMs: m.publishedAtMs,
        lastUsedMs: m.lastUsedMs,
        inUse: this.#ledger.holds(m.key),
      })),
      pulls: [...this.#pulls.values()].map((p) => ({
        key: p.key,
        uri: p.ref.uri,
        waiters: p.fetch.waiters,
        progress: this.#progressOf(p),
      })),
      partial: [...this.#ledger.partials.values()].map((p) => ({ key: p.key, bytes: p.bytes })),
    };
  }

  /** Models the read-through endpoint can serve now (ServableStore). */
  servable(): readonly ServableModel[] {
    return servableModels(this.#servableState, this.#options.clock.now());
  }

  /** Starts or joins a pull for the read-through endpoint (ServableStore; see reader-fetch.ts). */
  fetchForReader(uri: string, signal: AbortSignal): Promise<ServableModel | undefined> {
    return fetchForReader(uri, signal, {
      pull: (u) => this.pull(u, { signal: this.#options.signal }),
      listed: (key) => this.#pulls.get(key)?.listed,
      servable: (key) => this.servable().find((m) => m.key === key),
    });
  }

  /** Marks a model used now, in memory at once and in its manifest (best effort). */
  #touch(model: ModelManifest): ModelManifest {
    const touched = { ...model, lastUsedMs: this.#options.clock.now() };
    this.#ledger.models.set(model.key, touched);
    writeManifest(this.#modelDir(model.key), touched).catch((err: unknown) =>
      this.#options.log.warn({ err, key: model.key }, 'could not record a model’s last use'),
    );
    return touched;
  }

  #modelDir(key: string): string {
    return join(this.#ledger.dirs.models, key);
  }

  #cachedModel(m: ModelManifest): CachedModel {
    const { uri, key, bytes, files, publishedAtMs, lastUsedMs } = m;
    return { uri, key, path: this.#modelDir(key), bytes, files, publishedAtMs, lastUsedMs };
  }

  #progressOf(p: ActivePull): PullProgress {
    return p.stream?.progress() ?? queuedProgress(p.ref.uri, p.listing?.files ?? []);
  }

  #sumOverPulls(pick: (progress: PullProgress) => number): number {
    let total = 0;
    for (const p of this.#pulls.values()) total += pick(this.#progressOf(p));
    return total;
  }

  #bytesOnDisk(): number {
    return this.#ledger.bytesKnown() + this.#sumOverPulls((p) => p.bytesDone);
  }
}
