/**
 * The node cache's name for an artifact: a readable slug of the canonical URI plus a short hash
 * of it. The slug is for the people reading `ls` on a node; the hash is what makes two URIs that
 * slug alike (`s3://a/b-c` and `s3://a/b/c`) land in different directories.
 */
import { createHash } from 'node:crypto';

/** Longest slug kept before the hash; keeps the directory name well under any filesystem's 255. */
const MAX_SLUG_CHARS = 80;
/** Hex digits of sha256 kept: 48 bits, no collision among the few hundred models of a node. */
const HASH_CHARS = 12;

/**
 * The cache key of the artifact whose canonical URI is `uri` (as `ArtifactRef.uri`): lower-case
 * `[a-z0-9._-]`, never `.` or `..`, never empty, at most 93 characters; safe as one directory
 * name and as the first segment of an S3 key. Deterministic: the same URI always gives the same key.
 */
export function artifactCacheKey(uri: string): string {
  const slug = uri
    .toLowerCase()
    .replace(/^([a-z0-9+.-]+):\/\//, '$1-')
    .replace(/[^a-z0-9._-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .slice(0, MAX_SLUG_CHARS)
    .replace(/^[-.]+|[-.]+$/g, '');
  const hash = createHash('sha256').update(uri).digest('hex').slice(0, HASH_CHARS);
  return slug === '' ? hash : `${slug}-${hash}`;
}

/** True when `text` has the shape {@link artifactCacheKey} produces (a path segment we made). */
export function isArtifactCacheKey(text: string): boolean {
  return /^(?:[a-z0-9_][a-z0-9._-]*-)?[0-9a-f]{12}$/.test(text) && text.length <= 93;
}
