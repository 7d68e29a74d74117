/**
 * An artifact on a local or mounted file system (`file:///dir` or one file), allowed only under
 * configured root directories. Real paths are compared, so a symlink inside a root that points
 * out of it is refused (WEIGHTS_PATH_ESCAPE) at list time and again at read time (a link swapped
 * after listing). The ETag is size + mtime: a file rewritten mid-pull fails the read with
 * WEIGHTS_SOURCE_CHANGED.
 */
import { createReadStream } from 'node:fs';
import { open, readdir, realpath, stat } from 'node:fs/promises';
import { isAbsolute, join, relative, sep } from 'node:path';
import { AppError } from '../../shared/index.js';
import {
  sortedListing,
  type ArtifactFile,
  type ArtifactListing,
  type ArtifactRef,
  type ByteRange,
} from '../artifact.js';
import type { ArtifactSource } from '../artifact-source.js';
import { assertSafeRelativePath } from '../safe-path.js';
import { emptyBody } from './http-body.js';
import { sourceChanged } from './source-errors.js';

/** Where file:// artifacts may live and how many files one may have. */
export interface FileSourceSettings {
  /** Absolute directories file:// URIs must be under (after resolving symlinks). */
  readonly roots: readonly string[];
  /** Most files one artifact may list. Default 10000. */
  readonly maxFiles?: number;
  /** Deepest directory nesting listed. Default 16. */
  readonly maxDepth?: number;
}

type FileRef = Extract<ArtifactRef, { scheme: 'file' }>;

function escape(what: string, why: string): AppError {
  return new AppError('WEIGHTS_PATH_ESCAPE', `${what}: ${why}`, { httpStatus: 403 });
}

function fsError(err: unknown, what: string): AppError {
  if (err instanceof AppError) return err;
  const code = (err as { code?: unknown } | null)?.code;
  if (code === 'ENOENT' || code === 'ENOTDIR')
    return new AppError('WEIGHTS_NOT_FOUND', `${what}: no such file`, {
      httpStatus: 404,
      cause: err,
    });
  if (code === 'EACCES' || code === 'EPERM')
    return new AppError('WEIGHTS_UNAUTHORIZED', `${what}: permission denied`, {
      httpStatus: 403,
      cause: err,
    });
  return new AppError('WEIGHTS_SOURCE_FAILED', `${what}: ${String(code ?? err)}`, {
    httpStatus: 502,
    cause: err,
  });
}

/** The etag of a file: its size and mtime, which change when it is rewritten. */
function etagOf(size: number, mtimeMs: number): string {
  return `"${size.toString(16)}-${Math.round(mtimeMs * 1000).toString(16)}"`;
}

/** {@link ArtifactSource} for `file://` URIs; see the file comment. */
export class FileArtifactSource implements ArtifactSource {
  readonly #ref: FileRef;
  readonly #settings: Required<FileSourceSettings>;
  /** The artifact's real path once listed, and whether it is a single file. */
  #base: { readonly path: string; readonly isFile: boolean } | undefined;

  constructor(ref: FileRef, settings: FileSourceSettings) {
    this.#ref = ref;
    this.#settings = { maxFiles: 10_000, maxDepth: 16, ...settings };
  }

  /** @inheritDoc */
  async list(signal: AbortSignal): Promise<ArtifactListing> {
    const base = await this.#resolveBase();
    if (base.isFile) {
      const info = await stat(base.path).catch((err: unknown) => {
        throw fsError(err, this.#ref.uri);
      });
      const name = base.path.slice(base.path.lastIndexOf(sep) + 1);
      return {
        ref: this.#ref,
        files: [{ path: name, size: info.size, etag: etagOf(info.size, info.mtimeMs) }],
      };
    }
    const files: ArtifactFile[] = [];
    await this.#walk(base.path, 0, files, signal);
    return sortedListing(this.#ref, files, 'file');
  }

  /** @inheritDoc */
  async readRange(
    file: ArtifactFile,
    range: ByteRange,
    signal: AbortSignal,
  ): Promise<AsyncIterable<Uint8Array>> {
    const base = this.#base ?? (await this.#resolveBase());
    const path = assertSafeRelativePath(file.path, this.#ref.uri);
    const full = base.isFile ? base.path : join(base.path, ...path.split('/'));
    const real = await this.#underRoot(full);
    const handle = await open(real, 'r').catch((err: unknown) => {
      throw fsError(err, `${this.#ref.uri} ${path}`);
    });
    try {
      const info = await handle.stat();
      if (file.etag !== undefined && etagOf(info.size, info.mtimeMs) !== file.etag)
        throw sourceChanged(`${this.#ref.uri} ${path}`, 'size or mtime differs');
      if (range.end > info.size) throw sourceChanged(`${this.#ref.uri} ${path}`, 'file shrank');
    } catch (err) {
      await handle.close();
      throw err;
    }
    if (range.end <= range.start) {
      await handle.close();
      return emptyBody();
    }
    // The stream owns the handle from here and closes it when it ends or is destroyed.
    return createReadStream('', {
      fd: handle,
      start: range.start,
      end: range.end - 1,
      signal,
      highWaterMark: 1024 * 1024,
    });
  }

  async #resolveBase(): Promise<{ path: string; isFile: boolean }> {
    const real = await this.#underRoot(this.#ref.path);
    const info = await stat(real).catch((err: unknown) => {
      throw fsError(err, this.#ref.uri);
    });
    this.#base = { path: real, isFile: info.isFile() };
    return this.#base;
  }

  /** The real path of `path`, refused unless it is inside a configured root. */
  async #underRoot(path: string): Promise<string> {
    const real = await realpath(path).catch((err: unknown) => {
      throw fsError(err, this.#ref.uri);
    });
    for (const root of this.#settings.roots) {
      const realRoot = await realpath(root).catch(() => undefined);
      if (realRoot === undefined) continue;
      const rel = relative(realRoot, real);
      if (rel !== '..' && !rel.startsWith(`..${sep}`) && !isAbsolute(rel)) return real;
    }
    throw escape(this.#ref.uri, `${path} is not under an allowed root directory`);
  }

  async #walk(dir: string, depth: number, out: ArtifactFile[], signal: AbortSignal): Promise<void> {
    if (signal.aborted)
      throw new AppError('WEIGHTS_ABORTED', `${this.#ref.uri}: aborted`, { httpStatus: 499 });
    if (depth > this.#settings.maxDepth)
      throw new AppError(
        'WEIGHTS_SOURCE_FAILED',
        `${this.#ref.uri}: nested deeper than ${this.#settings.maxDepth}`,
      );
    const entries = await readdir(dir, { withFileTypes: true }).catch((err: unknown) => {
      throw fsError(err, this.#ref.uri);
    });
    for (const entry of entries) {
      const full = join(dir, entry.name);
      const real = entry.isSymbolicLink() ? await this.#underRoot(full) : full;
      const info = await stat(real).catch((err: unknown) => {
        throw fsError(err, this.#ref.uri);
      });
      if (info.isDirectory()) await this.#walk(full, depth + 1, out, signal);
      else if (info.isFile()) {
        const rel = relative(this.#base?.path ?? dir, full)
          .split(sep)
          .join('/');
        out.push({
          path: assertSafeRelativePath(rel, this.#ref.uri),
          size: info.size,
          etag: etagOf(info.size, info.mtimeMs),
        });
        if (out.length > this.#settings.maxFiles)
          throw new AppError(
            'WEIGHTS_SOURCE_FAILED',
            `${this.#ref.uri}: more than ${this.#settings.maxFiles} files`,
          );
      }
    }
  }
}
