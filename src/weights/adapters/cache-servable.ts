/**
 * What the read-through endpoint can serve from the node cache: every published model, and
 * every pull whose listing is known, each with a `read` that takes a published file from disk
 * and a file still being pulled through its stream (bytes as they arrive). Apart from
 * node-cache.ts because it only reads the cache's state, and the streaming/published handover
 * is a concept of its own.
 */
import type { ByteRange } from '../index.js';
import { AppError } from '../../shared/index.js';
import type { ModelManifest } from './cache-layout.js';
import { readPublishedRange } from './cache-files.js';
import { withPublishedFallback } from './published-fallback.js';
import type { ServableModel } from './cache-reader.js';
import type { ActivePull } from './active-pull.js';

/** The node cache's state the servable view reads (live maps, never copies). */
export interface ServableState {
  readonly models: ReadonlyMap<string, ModelManifest>;
  readonly pulls: ReadonlyMap<string, ActivePull>;
  /** The published directory of `key`. */
  readonly modelDir: (key: string) => string;
}

/** Models servable now; a pull with a listing counts as modified at `nowMs`. */
export function servableModels(state: ServableState, nowMs: number): ServableModel[] {
  const out: ServableModel[] = [];
  for (const m of state.models.values())
    out.push(servableOf(state, m.key, m.uri, m.s3, m.files, m.publishedAtMs));
  for (const p of state.pulls.values()) {
    if (p.listing === undefined || state.models.has(p.key)) continue;
    const s3 = p.ref.scheme === 's3' ? { bucket: p.ref.bucket, prefix: p.ref.prefix } : undefined;
    out.push(servableOf(state, p.key, p.ref.uri, s3, p.listing.files, nowMs));
  }
  return out;
}

function servableOf(
  state: ServableState,
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
    read: (path, range, signal) => readServable(state, key, path, range, signal),
  };
}

/** A published file from disk; a pulling one through its stream (bytes as they arrive). */
function readServable(
  state: ServableState,
  key: string,
  path: string,
  range: ByteRange,
  signal: AbortSignal,
): Promise<AsyncIterable<Uint8Array>> {
  const model = state.models.get(key);
  const file = model?.files.find((f) => f.path === path);
  if (file !== undefined)
    return readPublishedRange(state.modelDir(key), path, file.size, range, signal);
  const stream = state.pulls.get(key)?.stream;
  if (stream !== undefined)
    return stream.read(path, range, signal).then((streamed) =>
      withPublishedFallback(streamed, () => {
        const published = state.models.get(key)?.files.find((f) => f.path === path);
        return published === undefined
          ? undefined
          : readPublishedRange(state.modelDir(key), path, published.size, range, signal);
      }),
    );
  const pull = state.pulls.get(key);
  if (pull === undefined)
    return Promise.reject(
      new AppError('WEIGHTS_NOT_FOUND', `model ${key} left the cache`, { httpStatus: 404 }),
    );
  // Listed but not streaming yet (reserving room): wait for the stream to start, not for the
  // whole pull, then read through it (a failed pull rejects through join).
  return Promise.race([pull.streaming, pull.fetch.join(signal)]).then(() =>
    readServable(state, key, path, range, signal),
  );
}
