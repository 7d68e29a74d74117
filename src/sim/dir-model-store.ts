/**
 * A model in a local directory, read the way vLLM's loaders read it: the top-level files, by
 * positional reads. File reads take no AbortSignal in Node, so a stop or timeout abandons the
 * read (withIoDeadline) and close() releases the handles.
 */
import { open, readdir, stat, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError } from '../shared/index.js';
import { MAX_MODEL_FILES, type ModelFileInfo, type ModelStore } from './model-store.js';

/** Opens a ModelStore over `dir`. Nothing is touched until list(). */
export function dirModelStore(dir: string): ModelStore {
  const handles = new Map<string, Promise<FileHandle>>();
  let closed = false;
  return {
    where: dir,
    async list() {
      const info = await stat(dir).catch((caught: unknown) => {
        const err = caught as NodeJS.ErrnoException;
        throw new AppError(
          'WEIGHTS_NOT_FOUND',
          `model path ${dir} cannot be read: ${err.code ?? err.message}`,
          {
            cause: err,
          },
        );
      });
      if (!info.isDirectory())
        throw new AppError('WEIGHTS_NOT_FOUND', `model path ${dir} is not a directory`);
      const entries = await readdir(dir, { withFileTypes: true });
      const files = entries.filter((e) => e.isFile());
      if (files.length > MAX_MODEL_FILES)
        throw new AppError(
          'WEIGHTS_NOT_FOUND',
          `model path ${dir} has more than ${MAX_MODEL_FILES} files`,
        );
      const out: ModelFileInfo[] = [];
      for (const e of files) out.push({ name: e.name, size: (await stat(join(dir, e.name))).size });
      return out;
    },
    async read(file, start, end) {
      if (closed) throw new AppError('WEIGHTS_ABORTED', `${dir}: store closed`);
      let handle = handles.get(file.name);
      if (handle === undefined) {
        handle = open(join(dir, file.name), 'r');
        handles.set(file.name, handle);
      }
      const fh = await handle;
      const buffer = Buffer.allocUnsafe(end - start);
      let got = 0;
      while (got < buffer.byteLength) {
        const { bytesRead } = await fh.read(buffer, got, buffer.byteLength - got, start + got);
        if (bytesRead === 0) break;
        got += bytesRead;
      }
      if (got !== buffer.byteLength)
        throw new AppError(
          'WEIGHTS_INTEGRITY',
          `${file.name}: read ${got} of ${buffer.byteLength} bytes at ${start} (file shrank?)`,
        );
      return buffer;
    },
    async close() {
      closed = true;
      const all = [...handles.values()];
      handles.clear();
      await Promise.all(all.map(async (h) => (await h.catch(() => undefined))?.close()));
    },
  };
}
