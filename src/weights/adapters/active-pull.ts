/**
 * One pull the node cache is running: what it fetches, from where, the shared fetch its callers
 * wait on, and what a read-through reader needs while it runs (the listing, then the stream).
 */
import type { ArtifactListing, ArtifactRef, ArtifactSource, ArtifactStream } from '../index.js';
import type { CachedModel } from './node-cache-types.js';
import type { SharedFetch } from './shared-fetch.js';

/** A pull in flight, keyed by its cache key in the node cache. */
export interface ActivePull {
  readonly key: string;
  readonly ref: ArtifactRef;
  readonly source: ArtifactSource;
  readonly fetch: SharedFetch<CachedModel>;
  readonly startedAtMs: number;
  /** Resolves once the source listed the artifact (the read-through endpoint waits on it). */
  readonly listed: Promise<ArtifactListing>;
  listing?: ArtifactListing;
  stream?: ArtifactStream;
  /** Resolves once `stream` is set: a reader that came early reads through it from then on. */
  readonly streaming: Promise<void>;
  readonly markStreaming: () => void;
  reservedBytes: number;
}
