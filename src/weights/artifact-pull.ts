/**
 * The seams between the streamer, the node cache and the read-through endpoint. The streamer
 * (adapters/artifact-streamer.ts) fills a staging directory and returns an ArtifactStream; the
 * node cache (adapters/node-cache.ts) owns staging and published directories and answers the
 * read-through endpoint through ArtifactReader.
 */
import type { Clock, Rng } from '../shared/index.js';
import type { ArtifactFile, ArtifactListing, ByteRange } from './artifact.js';
import type { ArtifactSource } from './artifact-source.js';

/** Progress of one file of a pull. */
export interface FileProgress {
  readonly path: string;
  readonly size: number;
  readonly bytesDone: number;
  readonly state: 'queued' | 'fetching' | 'verifying' | 'done' | 'failed';
}

/** Progress of one artifact pull; `bytesPerSecond` over the last few seconds. */
export interface PullProgress {
  readonly uri: string;
  readonly totalBytes: number;
  readonly bytesDone: number;
  readonly bytesPerSecond: number;
  readonly partsInFlight: number;
  readonly files: readonly FileProgress[];
}

/** Tuning of the ranged parallel streamer; defaults are Run:ai's object-store ones. */
export interface StreamerSettings {
  /** Part size, bytes. Default 8 MiB. */
  readonly partBytes: number;
  /** Parts in flight across all files of one pull. Default 16. */
  readonly concurrency: number;
  /** Attempts per part (first try included) and the backoff between them. */
  readonly retry: { readonly attempts: number; readonly initialMs: number; readonly maxMs: number };
  /** A part that receives no byte for this long is aborted and retried, ms. */
  readonly partIdleTimeoutMs: number;
}

export interface StreamArtifactOptions {
  readonly source: ArtifactSource;
  readonly listing: ArtifactListing;
  /**
   * Directory the files are written under (`<stagingDir>/<file.path>`); a file appears under its
   * final name only once complete and verified. Journals beside partial files let a later
   * stream into the same directory resume where an interrupted one stopped.
   */
  readonly stagingDir: string;
  readonly settings: StreamerSettings;
  readonly signal: AbortSignal;
  /** Called with every chunk's size as it is written (metrics, rate). */
  readonly onBytes?: (bytes: number) => void;
  /** Time for the rate and the journal's pacing; default the system clock. */
  readonly clock?: Clock;
  /** Jitter of the retry backoff; default the system RNG. */
  readonly rng?: Rng;
}

/** A pull in progress. */
export interface ArtifactStream {
  /** Resolves when every file is complete, verified and under its final name; rejects with an AppError (WEIGHTS_*). */
  readonly done: Promise<void>;
  progress(): PullProgress;
  /**
   * The bytes of `range` of one file, as soon as they are on disk: ranges not yet fetched are
   * fetched next, ahead of the sequential order. Rejects if the pull fails or `signal` aborts.
   */
  read(path: string, range: ByteRange, signal: AbortSignal): Promise<AsyncIterable<Uint8Array>>;
}

/** What the read-through S3 endpoint sees of the node cache. */
export interface ArtifactReader {
  /**
   * The artifact file behind an S3 `bucket`/`key` (a published or pulling model), or undefined.
   * May start a pull when the key maps to an allowed s3 source not yet in the cache.
   */
  resolve(bucket: string, key: string, signal: AbortSignal): Promise<ReadableObject | undefined>;
  /** Keys under `prefix` in `bucket`, sorted, for ListObjectsV2 (bounded by `limit`). */
  list(
    bucket: string,
    prefix: string,
    startAfter: string,
    limit: number,
    signal: AbortSignal,
  ): Promise<{ readonly keys: readonly ObjectSummary[]; readonly truncated: boolean }>;
}

export interface ObjectSummary {
  readonly key: string;
  readonly size: number;
  readonly etag: string;
  readonly lastModifiedMs: number;
}

/** One object the read-through endpoint may serve; reading holds the model in the cache. */
export interface ReadableObject extends ObjectSummary {
  readonly file: ArtifactFile;
  read(range: ByteRange, signal: AbortSignal): Promise<AsyncIterable<Uint8Array>>;
  /** Releases the object's hold on its model (it may be evicted again). */
  release(): void;
}
