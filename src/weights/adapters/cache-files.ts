/**
 * Small I/O helpers of the node cache: reading a byte range of a published file (never outside
 * its model's directory) and turning whatever a pull threw into a stable WEIGHTS_* error.
 */
import { createReadStream } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import { AppError } from '../../shared/index.js';
import type { ByteRange } from '../index.js';
import { pullAborted } from './shared-fetch.js';

async function* nothing(): AsyncIterable<Uint8Array> {
  // An empty range reads no byte.
}

/**
 * The bytes of `range` of `path` under `dir`, clamped to `size`. Throws WEIGHTS_PATH_ESCAPE for
 * a path that would leave `dir` (listings are checked by the sources; this is the last guard).
 */
export function readPublishedRange(
  dir: string,
  path: string,
  size: number,
  range: ByteRange,
  signal: AbortSignal,
): Promise<AsyncIterable<Uint8Array>> {
  const full = resolve(dir, path);
  const inside = relative(dir, full);
  if (inside === '' || inside.startsWith('..') || isAbsolute(inside))
    return Promise.reject(
      new AppError(
        'WEIGHTS_PATH_ESCAPE',
        `file ${JSON.stringify(path)} leaves the model directory`,
      ),
    );
  const start = Math.max(0, range.start);
  const end = Math.min(size, range.end);
  if (end <= start) return Promise.resolve(nothing());
  return Promise.resolve(createReadStream(full, { start, end: end - 1, signal }));
}

/** Whatever a pull threw, as an AppError with a stable WEIGHTS_* code. */
export function asWeightsError(err: unknown, signal: AbortSignal): AppError {
  // A stopped pull reports why it stopped, whatever its last read threw on the way out.
  if (signal.aborted) {
    const reason: unknown = signal.reason;
    return reason instanceof AppError ? reason : pullAborted('the pull was stopped');
  }
  if (err instanceof AppError) return err;
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOSPC' || code === 'EDQUOT')
    return new AppError('WEIGHTS_DISK_FULL', 'the node cache’s disk is full', {
      httpStatus: 507,
      cause: err,
    });
  const message = err instanceof Error ? err.message : String(err);
  return new AppError('WEIGHTS_SOURCE_FAILED', `the pull failed: ${message}`, {
    httpStatus: 502,
    cause: err,
  });
}
