/**
 * The shapes the node cache reports before and after a stream: the progress of a pull not yet
 * streaming (listed files, all queued) or of a model already cached (all done), and the manifest
 * a finished pull publishes.
 */
import type { ArtifactFile, ArtifactListing, ArtifactRef, PullProgress } from '../index.js';
import type { ModelManifest } from './cache-layout.js';

const sum = (files: readonly ArtifactFile[]): number => files.reduce((s, f) => s + f.size, 0);

/** A pull listing its files or reserving room: nothing fetched yet. */
export function queuedProgress(uri: string, files: readonly ArtifactFile[]): PullProgress {
  return {
    uri,
    totalBytes: sum(files),
    bytesDone: 0,
    bytesPerSecond: 0,
    partsInFlight: 0,
    files: files.map((f) => ({ path: f.path, size: f.size, bytesDone: 0, state: 'queued' })),
  };
}

/** A model already in the cache: every byte done. */
export function completeProgress(m: ModelManifest): PullProgress {
  return {
    uri: m.uri,
    totalBytes: m.bytes,
    bytesDone: m.bytes,
    bytesPerSecond: 0,
    partsInFlight: 0,
    files: m.files.map((f) => ({ path: f.path, size: f.size, bytesDone: f.size, state: 'done' })),
  };
}

/** The manifest of `key` published at `nowMs` from its listing. */
export function manifestOf(
  key: string,
  ref: ArtifactRef,
  listing: ArtifactListing,
  nowMs: number,
): ModelManifest {
  return {
    version: 1,
    uri: ref.uri,
    key,
    scheme: ref.scheme,
    ...(ref.scheme === 's3' ? { s3: { bucket: ref.bucket, prefix: ref.prefix } } : {}),
    files: listing.files,
    ...(listing.revision === undefined ? {} : { revision: listing.revision }),
    bytes: sum(listing.files),
    publishedAtMs: nowMs,
    lastUsedMs: nowMs,
  };
}
