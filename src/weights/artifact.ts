/**
 * What a model artifact is: a reference parsed from a URI, and the files a source lists for it.
 * A model is a set of files (safetensors shards, config.json, tokenizer files) under one prefix.
 */
import { AppError } from '../shared/index.js';

/** A parsed, normalized artifact URI. `uri` is the canonical text (the cache key's input). */
export type ArtifactRef =
  | {
      readonly scheme: 's3';
      readonly uri: string;
      readonly bucket: string;
      readonly prefix: string;
    }
  | { readonly scheme: 'http' | 'https'; readonly uri: string; readonly url: URL }
  | {
      readonly scheme: 'hf';
      readonly uri: string;
      /** `org/model`. */
      readonly repo: string;
      /** Branch, tag or commit; `main` when the URI names none. */
      readonly revision: string;
    }
  | { readonly scheme: 'file'; readonly uri: string; readonly path: string };

export type ArtifactScheme = ArtifactRef['scheme'];

/** One file of an artifact, as its source lists it. */
export interface ArtifactFile {
  /** Relative POSIX path inside the artifact (`model-00001-of-00002.safetensors`); never `..`. */
  readonly path: string;
  readonly size: number;
  /**
   * The source's version tag of this file (S3/HTTP ETag, hub blob id); every ranged read is
   * conditioned on it, so a file replaced mid-pull fails with WEIGHTS_SOURCE_CHANGED instead of
   * being stitched from two versions. Absent when the source has none (file://).
   */
  readonly etag?: string;
  /** Hex sha256 of the whole file when the source publishes one (hub LFS files). */
  readonly sha256?: string;
}

/** Everything a source says about one artifact. */
export interface ArtifactListing {
  readonly ref: ArtifactRef;
  readonly files: readonly ArtifactFile[];
  /** The resolved revision (hub commit sha) when the source has one. */
  readonly revision?: string;
}

/** A half-open byte range [start, end). */
export interface ByteRange {
  readonly start: number;
  readonly end: number;
}

/**
 * A source's listing, files sorted by path (every source lists in the same order, so parts go
 * out the same way whatever the source); WEIGHTS_NOT_FOUND when there is none, naming `what`.
 */
export function sortedListing(
  ref: ArtifactRef,
  files: ArtifactFile[],
  what: 'file' | 'object',
): ArtifactListing {
  if (files.length === 0)
    throw new AppError('WEIGHTS_NOT_FOUND', `${ref.uri} holds no ${what}`, { httpStatus: 404 });
  files.sort((a, b) => (a.path < b.path ? -1 : 1));
  return { ref, files };
}
