/**
 * Where a listed file lands under the staging directory, checked to stay inside it. A local check
 * (the sources' shared path check was not in src/weights when this was written): the listed path
 * must be relative POSIX without `..`, and the real directory it lands in (after symlinks) must be
 * the staging directory or below it.
 */
import { mkdir, realpath } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, sep } from 'node:path';
import { AppError } from '../../shared/index.js';

/** `<stagingDir>/<path>`, or WEIGHTS_PATH_ESCAPE when `path` could leave `stagingDir`. */
export function stagingPathOf(stagingDir: string, path: string): string {
  const escape = (why: string): AppError =>
    new AppError('WEIGHTS_PATH_ESCAPE', `file path ${JSON.stringify(path)} ${why}`, {
      httpStatus: 400,
    });
  if (path.length === 0 || path.length > 1024) throw escape('is empty or too long');
  if (path.includes('\0') || path.includes('\\')) throw escape('has a NUL or backslash');
  if (path.startsWith('/') || isAbsolute(path)) throw escape('is absolute');
  const segments = path.split('/');
  if (segments.some((s) => s === '' || s === '.' || s === '..'))
    throw escape('has an empty, "." or ".." segment');
  return join(stagingDir, ...segments);
}

/**
 * Creates the directory `fullPath` lands in and checks that, symlinks resolved, it is still
 * inside `stagingDir` (a symlinked subdirectory could otherwise point anywhere).
 */
export async function prepareStagingParent(stagingDir: string, fullPath: string): Promise<void> {
  const parent = dirname(fullPath);
  await mkdir(parent, { recursive: true });
  const [root, real] = await Promise.all([realpath(stagingDir), realpath(parent)]);
  const rel = relative(root, real);
  if (rel === '' || (!rel.startsWith(`..${sep}`) && rel !== '..' && !isAbsolute(rel))) return;
  throw new AppError(
    'WEIGHTS_PATH_ESCAPE',
    `the directory of ${JSON.stringify(fullPath)} resolves outside the staging directory`,
    { httpStatus: 400 },
  );
}

/** Suffixes the streamer adds beside a file while it is pulled. */
const STAGING_SUFFIXES = ['.partial', '.parts', '.parts.tmp'];

/**
 * WEIGHTS_PATH_ESCAPE when two listed files would share a staging name: a path listed twice, or
 * one that is another's partial or journal (`x` and `x.partial`), which would overwrite each other.
 */
export function checkStagingNames(paths: readonly string[]): void {
  const names = new Set<string>();
  for (const path of paths) {
    if (names.has(path))
      throw new AppError(
        'WEIGHTS_PATH_ESCAPE',
        `file path ${JSON.stringify(path)} is listed twice`,
      );
    names.add(path);
  }
  for (const path of paths)
    for (const suffix of STAGING_SUFFIXES)
      if (names.has(path + suffix))
        throw new AppError(
          'WEIGHTS_PATH_ESCAPE',
          `file path ${JSON.stringify(path + suffix)} collides with the staging files of ${JSON.stringify(path)}`,
        );
}
