/**
 * The node cache as the read-through S3 endpoint sees it (ArtifactReader): bucket/key → file.
 *
 * Mapping rule:
 * - An `s3://bucket/prefix` artifact is served under the SAME names as upstream: bucket
 *   `bucket`, key `prefix + '/' + file path`. An engine keeps its model URI and only points
 *   `AWS_ENDPOINT_URL` at the agent.
 * - Every other scheme (http(s), hf, file) is served under the bucket `infernode`, key
 *   `<cache key>/<file path>` (the cache key is in `GET /v1/weights`).
 * - A published model reads its file on disk; a model being pulled reads through the stream
 *   (bytes as they arrive, a range not yet fetched fetched first).
 * - An s3 key (or ListObjectsV2 prefix) under no cached model starts a pull of that prefix
 *   (key: its directory) when the source resolves and lists, so the engine's first request
 *   triggers the fetch; otherwise the object is unknown (NoSuchKey).
 * Every ReadableObject holds its model in the cache until released.
 */
import { createHash } from 'node:crypto';
import type {
  ArtifactFile,
  ArtifactReader,
  ByteRange,
  ObjectSummary,
  ReadableObject,
} from '../index.js';

/** The bucket non-s3 artifacts are served under. */
export const INFERNODE_BUCKET = 'infernode';

/** One model the cache can serve: published, or being pulled with its listing known. */
export interface ServableModel {
  readonly key: string;
  readonly uri: string;
  readonly s3?: { readonly bucket: string; readonly prefix: string };
  readonly files: readonly ArtifactFile[];
  readonly lastModifiedMs: number;
  read(path: string, range: ByteRange, signal: AbortSignal): Promise<AsyncIterable<Uint8Array>>;
}

/** What the reader needs of the node cache (NodeCache implements it). */
export interface ServableStore {
  servable(): readonly ServableModel[];
  /**
   * Starts or joins the pull of `uri` on behalf of the read-through endpoint (it runs on after
   * the request) and resolves once its files are listed; undefined when the URI is refused or
   * the source has no such artifact.
   */
  fetchForReader(uri: string, signal: AbortSignal): Promise<ServableModel | undefined>;
  hold(key: string): () => void;
}

interface Located {
  readonly model: ServableModel;
  readonly file: ArtifactFile;
}

/** The names a model's files have in the endpoint: [bucket, key prefix before the file path]. */
function namesOf(model: ServableModel): { bucket: string; base: string } {
  if (model.s3 === undefined) return { bucket: INFERNODE_BUCKET, base: `${model.key}/` };
  // parseArtifactUri's prefix ends in '/' (it names a directory); a bare one is taken too.
  const prefix = model.s3.prefix.replace(/\/+$/, '');
  return { bucket: model.s3.bucket, base: prefix === '' ? '' : `${prefix}/` };
}

/** The ETag the endpoint shows: the source's when it has one, else one derived from what we know. */
function etagOf(model: ServableModel, file: ArtifactFile): string {
  if (file.etag !== undefined) return file.etag.startsWith('"') ? file.etag : `"${file.etag}"`;
  const digest = createHash('sha256')
    .update(`${model.key}\0${file.path}\0${file.size}`)
    .digest('hex');
  return `"${digest.slice(0, 32)}"`;
}

/** {@link ArtifactReader} over the node cache; see the file comment for the mapping rule. */
export class NodeCacheReader implements ArtifactReader {
  readonly #store: ServableStore;

  constructor(store: ServableStore) {
    this.#store = store;
  }

  async resolve(
    bucket: string,
    key: string,
    signal: AbortSignal,
  ): Promise<ReadableObject | undefined> {
    let found = this.#locate(bucket, key);
    const slash = key.lastIndexOf('/');
    if (found === undefined && bucket !== INFERNODE_BUCKET && slash > 0) {
      await this.#store.fetchForReader(`s3://${bucket}/${key.slice(0, slash)}`, signal);
      found = this.#locate(bucket, key);
    }
    if (found === undefined) return undefined;
    const { model, file } = found;
    const release = this.#store.hold(model.key);
    let released = false;
    return {
      key,
      size: file.size,
      etag: etagOf(model, file),
      lastModifiedMs: model.lastModifiedMs,
      file,
      read: (range, readSignal) => model.read(file.path, range, readSignal),
      release: () => {
        if (released) return;
        released = true;
        release();
      },
    };
  }

  async list(
    bucket: string,
    prefix: string,
    startAfter: string,
    limit: number,
    signal: AbortSignal,
  ): Promise<{ readonly keys: readonly ObjectSummary[]; readonly truncated: boolean }> {
    let all = this.#summaries(bucket, prefix);
    const wanted = prefix.replace(/\/+$/, '');
    if (all.length === 0 && bucket !== INFERNODE_BUCKET && wanted !== '') {
      await this.#store.fetchForReader(`s3://${bucket}/${wanted}`, signal);
      all = this.#summaries(bucket, prefix);
    }
    const after = all.filter((s) => s.key > startAfter);
    return { keys: after.slice(0, limit), truncated: after.length > limit };
  }

  #summaries(bucket: string, prefix: string): ObjectSummary[] {
    const byKey = new Map<string, ObjectSummary>();
    for (const model of this.#store.servable()) {
      const names = namesOf(model);
      if (names.bucket !== bucket) continue;
      for (const file of model.files) {
        const key = names.base + file.path;
        if (!key.startsWith(prefix) || byKey.has(key)) continue;
        byKey.set(key, {
          key,
          size: file.size,
          etag: etagOf(model, file),
          lastModifiedMs: model.lastModifiedMs,
        });
      }
    }
    return [...byKey.values()].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  /** The file behind bucket/key; the model with the longest matching prefix wins. */
  #locate(bucket: string, key: string): Located | undefined {
    let best: (Located & { readonly baseLength: number }) | undefined;
    for (const model of this.#store.servable()) {
      const names = namesOf(model);
      if (names.bucket !== bucket || !key.startsWith(names.base)) continue;
      if (best !== undefined && best.baseLength >= names.base.length) continue;
      const path = key.slice(names.base.length);
      const file = model.files.find((f) => f.path === path);
      if (file !== undefined) best = { model, file, baseLength: names.base.length };
    }
    return best;
  }
}
