/**
 * How the streamer treats a failed part attempt: retried (the source failed, reset or went idle),
 * the file restarted (the object changed), or the pull failed (anything the source will say again).
 */
import { AppError, hasCode } from '../../shared/index.js';
import type { PartLease } from '../index.js';

/** What to do after one failed attempt. */
export type PartFailure = 'retry' | 'restart-file' | 'fail';

/** Classifies a failed attempt's error; write errors are never retried. */
export function classifyPartFailure(err: unknown, duringWrite: boolean): PartFailure {
  if (duringWrite) return 'fail';
  if (hasCode(err, 'WEIGHTS_SOURCE_CHANGED')) return 'restart-file';
  if (err instanceof AppError)
    return err.code === 'WEIGHTS_SOURCE_FAILED' || err.code === 'WEIGHTS_SOURCE_TIMEOUT'
      ? 'retry'
      : 'fail';
  // Not an AppError: a socket reset or a stream error from the source's transport.
  return 'retry';
}

/** The pull's error once a part used all its attempts (keeps a timeout a timeout). */
export function partExhausted(
  path: string,
  lease: PartLease,
  attempts: number,
  last: unknown,
): AppError {
  const code = hasCode(last, 'WEIGHTS_SOURCE_TIMEOUT')
    ? 'WEIGHTS_SOURCE_TIMEOUT'
    : 'WEIGHTS_SOURCE_FAILED';
  const why = last instanceof Error ? last.message : String(last);
  return new AppError(
    code,
    `${path} bytes [${lease.range.start}, ${lease.range.end}) failed ${attempts} times; last: ${why}`,
    { httpStatus: 502, cause: last, detail: { path, part: lease.part, attempts } },
  );
}
