/**
 * The one check every file name from a source passes before it becomes a path on the node's
 * disk: an S3 key, a hub `rfilename`, a safetensors index shard name, a directory entry. A source
 * is not trusted to name files; a name that could leave the artifact's directory is refused with
 * WEIGHTS_PATH_ESCAPE, never cleaned up into something else (a cleaned name could collide).
 */
import { AppError } from '../shared/index.js';

/** Longest relative path accepted, in UTF-16 code units (Linux PATH_MAX is 4096 bytes). */
export const MAX_RELATIVE_PATH_LENGTH = 1024;
/** Longest single path segment accepted (Linux NAME_MAX is 255 bytes). */
export const MAX_PATH_SEGMENT_LENGTH = 255;

/** Why a relative path is refused, or undefined when it is safe. Pure. */
export function relativePathProblem(path: string): string | undefined {
  if (path.length === 0) return 'empty path';
  if (path.length > MAX_RELATIVE_PATH_LENGTH)
    return `longer than ${MAX_RELATIVE_PATH_LENGTH} characters`;
  // Control characters (NUL above all) truncate or confuse paths in the OS and in logs.
  // eslint-disable-next-line no-control-regex -- control characters are what this refuses
  if (/[\u0000-\u001f\u007f]/.test(path)) return 'contains a control character';
  // A backslash is a separator on Windows and in some S3 tools; `a\..\..\x` must not pass.
  if (path.includes('\\')) return 'contains a backslash';
  if (path.startsWith('/')) return 'is absolute';
  if (/^[A-Za-z]:/.test(path)) return 'starts with a drive letter';
  for (const segment of path.split('/')) {
    if (segment === '') return 'has an empty segment';
    if (segment === '.' || segment === '..') return `has a "${segment}" segment`;
    if (segment.length > MAX_PATH_SEGMENT_LENGTH)
      return `has a segment longer than ${MAX_PATH_SEGMENT_LENGTH} characters`;
  }
  return undefined;
}

/** True when `path` is a safe relative POSIX path inside an artifact. Pure. */
export function isSafeRelativePath(path: string): boolean {
  return relativePathProblem(path) === undefined;
}

/**
 * Returns `path` unchanged when it is a safe relative POSIX path (no `..`, `.` or empty segment,
 * not absolute, no backslash, no control character, bounded length).
 * @throws AppError WEIGHTS_PATH_ESCAPE naming the problem; `from` says who supplied the name.
 */
export function assertSafeRelativePath(path: string, from: string): string {
  const problem = relativePathProblem(path);
  if (problem === undefined) return path;
  throw new AppError(
    'WEIGHTS_PATH_ESCAPE',
    `${from} names a file ${JSON.stringify(path.slice(0, 200))} that ${problem}`,
    { httpStatus: 400, detail: { from } },
  );
}
