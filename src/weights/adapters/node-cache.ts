/**
 * The node's weight cache: each artifact fetched once per node into `staging/<key>/`, published
 * by one directory rename into `models/<key>/`, kept under a disk budget by evicting whole idle
 * models least recently used first (cache-ledger.ts). Concurrent pulls of one artifact share one
 * fetch (shared-fetch.ts); a hit costs no network request. Layout: cache-layout.ts; the
 * read-through endpoint's mapping: cache-reader.ts.
 *
 * Accounting is synchronous (one JS turn decides and records a reservation or an eviction), so
 * two pulls can never both count the same free bytes or evict the same model.
 */
import { mkdir, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError, linkedSignal } from '../../shared/index.js';
import {
  artifactCacheKey,
  isArtifactCacheKey,
  type ArtifactListing,
  type ArtifactRef,
  type ArtifactSource,
  type ByteRange,
  type PullProgress,
} from '../index.js';
import { prepareCacheDirs, writeManifest, type ModelManifest } from './cache-layout.js';
import { completeProgress, manifestOf, queuedProgress } from './pull-progress.js';
import { CacheLedger } from './cache-ledger.js';
import { asWeightsError, readPublishedRange } from './cache-files.js';
import { withPublishedFallback } from './published-fallback.js';
import { WeightsCacheMetrics, type PullOutcome } from './cache-metrics.js';
import { NodeCacheReader, type ServableModel, type ServableStore } from './cache-reader.js';
import type {
  CacheContents,
  CachedModel,
  NodeCacheOptions,
  PullHandle,
  ResolveSource,
} from './node-cache-types.js';
import { fetchForReader } from './reader-fetch.js';
import { SharedFetch } from './shared-fetch.js';
import type { ActivePull } from './active-pull.js';

const sum = (files: readonly { size: number }[]): number => files.reduce((s, f) => s + f.size, 0);

/** The node cache; build with {@link NodeCache.open}. */
export class NodeCache implements ServableStore {
  readonly #options: NodeCacheOptions;
  readonly #ledger: CacheLedger;
  readonly #metrics: WeightsCacheMetrics;
  readonly #pulls = new Map<string, ActivePull>();
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
    const active = this.#pulls.get(key) ?? this.#startPull(key, ref, source);
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
    const bytes = (model?.bytes ?? 0) + sum(partials.map((p) => ({ size: p.bytes })));
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
    const out: ServableModel[] = [];
    for (const m of this.#ledger.models.values())
      out.push(this.#servable(m.key, m.uri, m.s3, m.files, m.publishedAtMs));
    for (const p of this.#pulls.values()) {
      if (p.listing === undefined || this.#ledger.models.has(p.key)) continue;
      const s3 = p.ref.scheme === 's3' ? { bucket: p.ref.bucket, prefix: p.ref.prefix } : undefined;
      out.push(this.#servable(p.key, p.ref.uri, s3, p.listing.files, this.#options.clock.now()));
    }
    return out;
  }

  /** Starts or joins a pull for the read-through endpoint (ServableStore; see reader-fetch.ts). */
  fetchForReader(uri: string, signal: AbortSignal): Promise<ServableModel | undefined> {
    return fetchForReader(uri, signal, {
      pull: (u) => this.pull(u, { signal: this.#options.signal }),
      listed: (key) => this.#pulls.get(key)?.listed,
      servable: (key) => this.servable().find((m) => m.key === key),
    });
  }

  #servable(
    key: string,
    uri: string,
    s3: ServableModel['s3'],
    files: ServableModel['files'],
    lastModifiedMs: number,
  ): ServableModel {
    return {
      key,
      uri,
      ...(s3 === undefined ? {} : { s3 }),
      files,
      lastModifiedMs,
      read: (path, range, signal) => this.#read(key, path, range, signal),
    };
  }

  /** A published file from disk; a pulling one through its stream (bytes as they arrive). */
  #read(
    key: string,
    path: string,
    range: ByteRange,
    signal: AbortSignal,
  ): Promise<AsyncIterable<Uint8Array>> {
    const model = this.#ledger.models.get(key);
    const file = model?.files.find((f) => f.path === path);
    if (file !== undefined)
      return readPublishedRange(this.#modelDir(key), path, file.size, range, signal);
    const stream = this.#pulls.get(key)?.stream;
    if (stream !== undefined)
      return stream.read(path, range, signal).then((streamed) =>
        withPublishedFallback(streamed, () => {
          const published = this.#ledger.models.get(key)?.files.find((f) => f.path === path);
          return published === undefined
            ? undefined
            : readPublishedRange(this.#modelDir(key), path, published.size, range, signal);
        }),
      );
    const pull = this.#pulls.get(key);
    if (pull === undefined)
      return Promise.reject(
        new AppError('WEIGHTS_NOT_FOUND', `model ${key} left the cache`, { httpStatus: 404 }),
      );
    // Listed but not streaming yet (reserving room): wait for the stream to start, not for the
    // whole pull, then read through it (a failed pull rejects through join).
    return Promise.race([pull.streaming, pull.fetch.join(signal)]).then(() =>
      this.#read(key, path, range, signal),
    );
  }

  #startPull(key: string, ref: ArtifactRef, source: ArtifactSource): ActivePull {
    this.#metrics.misses.inc();
    const fetch = new SharedFetch<CachedModel>(this.#options.signal);
    const listed = this.#list(source, fetch.signal);
    listed.catch(() => undefined);
    let markStreaming = (): void => undefined;
    const streaming = new Promise<void>((resolve) => (markStreaming = resolve));
    const active: ActivePull = {
      key,
      ref,
      source,
      fetch,
      listed,
      streaming,
      markStreaming,
      startedAtMs: this.#options.clock.monotonicMs(),
      reservedBytes: 0,
    };
    this.#pulls.set(key, active);
    // A partial pull of this key becomes this one's: the streamer resumes from its journals.
    this.#ledger.partials.delete(join(this.#ledger.dirs.staging, key));
    fetch.start((signal) => this.#runPull(active, signal));
    return active;
  }

  async #runPull(active: ActivePull, signal: AbortSignal): Promise<CachedModel> {
    const { key, ref, source } = active;
    const stagingDir = join(this.#ledger.dirs.staging, key);
    let outcome: PullOutcome = 'error';
    try {
      const listing = await active.listed;
      active.listing = listing;
      const others = [...this.#pulls.values()].filter((p) => p !== active);
      this.#ledger.makeRoom(ref.uri, sum(listing.files), this.#options.budgetBytes, others);
      active.reservedBytes = sum(listing.files);
      await mkdir(stagingDir, { recursive: true });
      active.stream = this.#options.stream({
        source,
        listing,
        stagingDir,
        settings: this.#options.settings,
        signal,
        onBytes: (bytes) => this.#metrics.fetched(ref.scheme, bytes),
      });
      active.markStreaming();
      await active.stream.done;
      const model = await this.#publish(active, listing, stagingDir);
      outcome = 'ok';
      this.#options.log.info({ uri: ref.uri, key, bytes: model.bytes }, 'model published');
      return model;
    } catch (err) {
      if (signal.aborted) outcome = 'aborted';
      const error = asWeightsError(err, signal);
      this.#options.log.warn(
        { uri: ref.uri, key, code: error.code },
        `pull failed: ${error.message}`,
      );
      throw error;
    } finally {
      // What a failed or stopped pull wrote stays for a later pull to resume; it counts as used.
      if (outcome !== 'ok')
        await this.#ledger
          .addPartial(key, stagingDir, this.#options.clock.now())
          .catch(() => undefined);
      this.#pulls.delete(key);
      const seconds = (this.#options.clock.monotonicMs() - active.startedAtMs) / 1000;
      this.#metrics.pullDuration.observe({ outcome }, seconds);
    }
  }

  async #list(source: ArtifactSource, signal: AbortSignal): Promise<ArtifactListing> {
    const call = linkedSignal([signal], this.#options.listTimeoutMs);
    try {
      return await source.list(call.signal);
    } catch (err) {
      if (call.timedOut)
        throw new AppError('WEIGHTS_SOURCE_TIMEOUT', 'listing the artifact timed out', {
          httpStatus: 504,
          cause: err,
        });
      throw err;
    } finally {
      call.dispose();
    }
  }

  async #publish(
    active: ActivePull,
    listing: ArtifactListing,
    stagingDir: string,
  ): Promise<CachedModel> {
    const manifest = manifestOf(active.key, active.ref, listing, this.#options.clock.now());
    await writeManifest(stagingDir, manifest);
    const target = this.#modelDir(active.key);
    // A model directory without a valid manifest (found at start) makes way; so does a removal.
    if (this.#ledger.partials.has(target)) await this.#ledger.remove(target);
    await this.#ledger.settled(target);
    await rename(stagingDir, target);
    this.#ledger.models.set(active.key, manifest);
    return this.#cachedModel(manifest);
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
