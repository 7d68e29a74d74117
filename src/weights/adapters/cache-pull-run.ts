/**
 * One miss of the node cache, from start to publish: list the artifact, reserve room for it
 * (evicting idle models), stream it into `staging/<key>/`, then publish it by one rename into
 * `models/<key>/`. Apart from node-cache.ts so the cache's public surface (pull, hold, evict,
 * list, serve) reads on its own; the cache hands this module the state a pull touches.
 *
 * What a failed or stopped pull wrote stays in staging for a later pull to resume.
 */
import { mkdir, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError, linkedSignal } from '../../shared/index.js';
import type { ArtifactListing, ArtifactRef, ArtifactSource } from '../index.js';
import { writeManifest, type ModelManifest } from './cache-layout.js';
import { manifestOf } from './pull-progress.js';
import type { CacheLedger } from './cache-ledger.js';
import { asWeightsError } from './cache-files.js';
import type { PullOutcome, WeightsCacheMetrics } from './cache-metrics.js';
import type { CachedModel, NodeCacheOptions } from './node-cache-types.js';
import { SharedFetch } from './shared-fetch.js';
import type { ActivePull } from './active-pull.js';

/** Sums the sizes of `files` (bytes). */
export const sumSizes = (files: readonly { size: number }[]): number =>
  files.reduce((s, f) => s + f.size, 0);

/** The node cache's state a pull reads and writes. */
export interface PullRunContext {
  readonly options: NodeCacheOptions;
  readonly ledger: CacheLedger;
  readonly metrics: WeightsCacheMetrics;
  /** The pulls in flight by key: a started pull adds itself, a settled one removes itself. */
  readonly pulls: Map<string, ActivePull>;
  /** The published directory of `key`. */
  readonly modelDir: (key: string) => string;
  /** What a caller gets for a published manifest. */
  readonly cachedModel: (manifest: ModelManifest) => CachedModel;
}

/**
 * Starts the one fetch of `key` (a miss), records it in `ctx.pulls` and returns it; a partial
 * pull of the key left on disk becomes this one's (the streamer resumes from its journals).
 */
export function startPull(
  key: string,
  ref: ArtifactRef,
  source: ArtifactSource,
  ctx: PullRunContext,
): ActivePull {
  ctx.metrics.misses.inc();
  const fetch = new SharedFetch<CachedModel>(ctx.options.signal);
  const listed = listArtifact(source, fetch.signal, ctx.options.listTimeoutMs);
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
    startedAtMs: ctx.options.clock.monotonicMs(),
    reservedBytes: 0,
  };
  ctx.pulls.set(key, active);
  // A partial pull of this key becomes this one's: the streamer resumes from its journals.
  ctx.ledger.partials.delete(join(ctx.ledger.dirs.staging, key));
  fetch.start((signal) => runPull(active, signal, ctx));
  return active;
}

async function runPull(
  active: ActivePull,
  signal: AbortSignal,
  ctx: PullRunContext,
): Promise<CachedModel> {
  const { key, ref, source } = active;
  const { options, ledger } = ctx;
  const stagingDir = join(ledger.dirs.staging, key);
  let outcome: PullOutcome = 'error';
  try {
    const listing = await active.listed;
    active.listing = listing;
    const others = [...ctx.pulls.values()].filter((p) => p !== active);
    ledger.makeRoom(ref.uri, sumSizes(listing.files), options.budgetBytes, others);
    active.reservedBytes = sumSizes(listing.files);
    await mkdir(stagingDir, { recursive: true });
    active.stream = options.stream({
      source,
      listing,
      stagingDir,
      settings: options.settings,
      signal,
      onBytes: (bytes) => ctx.metrics.fetched(ref.scheme, bytes),
    });
    active.markStreaming();
    await active.stream.done;
    const model = await publish(active, listing, stagingDir, ctx);
    outcome = 'ok';
    options.log.info({ uri: ref.uri, key, bytes: model.bytes }, 'model published');
    return model;
  } catch (err) {
    if (signal.aborted) outcome = 'aborted';
    const error = asWeightsError(err, signal);
    options.log.warn({ uri: ref.uri, key, code: error.code }, `pull failed: ${error.message}`);
    throw error;
  } finally {
    // What a failed or stopped pull wrote stays for a later pull to resume; it counts as used.
    if (outcome !== 'ok')
      await ledger.addPartial(key, stagingDir, options.clock.now()).catch(() => undefined);
    ctx.pulls.delete(key);
    const seconds = (options.clock.monotonicMs() - active.startedAtMs) / 1000;
    ctx.metrics.pullDuration.observe({ outcome }, seconds);
  }
}

async function listArtifact(
  source: ArtifactSource,
  signal: AbortSignal,
  listTimeoutMs: number,
): Promise<ArtifactListing> {
  const call = linkedSignal([signal], listTimeoutMs);
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

async function publish(
  active: ActivePull,
  listing: ArtifactListing,
  stagingDir: string,
  ctx: PullRunContext,
): Promise<CachedModel> {
  const manifest = manifestOf(active.key, active.ref, listing, ctx.options.clock.now());
  await writeManifest(stagingDir, manifest);
  const target = ctx.modelDir(active.key);
  // A model directory without a valid manifest (found at start) makes way; so does a removal.
  if (ctx.ledger.partials.has(target)) await ctx.ledger.remove(target);
  await ctx.ledger.settled(target);
  await rename(stagingDir, target);
  ctx.ledger.models.set(active.key, manifest);
  return ctx.cachedModel(manifest);
}
