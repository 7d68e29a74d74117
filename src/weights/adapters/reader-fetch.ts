/**
 * How a read-through request starts a fetch: the engine's first GET (or ListObjectsV2) of an s3
 * name the cache does not hold pulls that prefix, and the request waits only until the source
 * has listed the files. The pull itself belongs to the cache (it runs on after the request).
 */
import { AppError, hasCode } from '../../shared/index.js';
import type { ArtifactListing } from '../index.js';
import type { ServableModel } from './cache-reader.js';
import type { PullHandle } from './node-cache-types.js';

/** Codes that mean "no such object here" to the endpoint (NoSuchKey), not a failure. */
const UNKNOWN_OBJECT = [
  'WEIGHTS_BAD_URI',
  'WEIGHTS_UNSUPPORTED_SCHEME',
  'WEIGHTS_HOST_NOT_ALLOWED',
  'WEIGHTS_PATH_ESCAPE',
  'WEIGHTS_NOT_FOUND',
] as const;

const isUnknownObject = (err: unknown): boolean => UNKNOWN_OBJECT.some((c) => hasCode(err, c));

/** What the helper needs of the cache. */
export interface ReaderFetchPort {
  /** Starts or joins the pull of `uri` on the cache's own lifetime. */
  pull(uri: string): PullHandle;
  /** The listing promise of the pull of `key`, while it runs. */
  listed(key: string): Promise<ArtifactListing> | undefined;
  servable(key: string): ServableModel | undefined;
}

/**
 * The servable model of `uri` once its files are listed (starting its pull when needed), or
 * undefined when the URI is refused or the source has no such artifact. Other source errors
 * reject (the endpoint answers 5xx, not NoSuchKey); so does `signal`.
 */
export async function fetchForReader(
  uri: string,
  signal: AbortSignal,
  port: ReaderFetchPort,
): Promise<ServableModel | undefined> {
  let handle: PullHandle;
  try {
    handle = port.pull(uri);
  } catch (err) {
    if (isUnknownObject(err)) return undefined;
    throw err;
  }
  const listed = port.listed(handle.key);
  if (listed !== undefined) {
    try {
      await untilAborted(listed, signal);
    } catch (err) {
      if (isUnknownObject(err)) return undefined;
      throw err;
    }
  }
  return port.servable(handle.key);
}

/** `promise`, or a WEIGHTS_ABORTED rejection as soon as `signal` aborts. */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void =>
      reject(new AppError('WEIGHTS_ABORTED', 'the request stopped waiting', { httpStatus: 499 }));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err instanceof Error ? err : new Error(String(err)));
      },
    );
  });
}
