/**
 * One file of a pull on disk: `<path>.partial` preallocated to the file's size and written at
 * positions (parts land out of order), the `<path>.parts` journal beside it, and publication:
 * verify (size, sha256, safetensors header), fsync, rename to `<path>`, drop the journal.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { AppError } from '../../shared/index.js';
import {
  PartBitmap,
  decodePartsJournal,
  encodePartsJournal,
  partCount,
  safetensorsHeaderLength,
  validateSafetensorsHeader,
} from '../index.js';
import type { ArtifactFile } from '../index.js';

/** How a staged file starts: already published, resumed with parts done, or from scratch. */
export type StagedStart = 'published' | PartBitmap;

/** A file being pulled into the staging directory. */
export class StagedFile {
  readonly finalPath: string;
  readonly partialPath: string;
  readonly journalPath: string;
  readonly #partBytes: number;
  #file: ArtifactFile;
  #handle: FileHandle | undefined;

  private constructor(finalPath: string, file: ArtifactFile, partBytes: number) {
    this.finalPath = finalPath;
    this.partialPath = `${finalPath}.partial`;
    this.journalPath = `${finalPath}.parts`;
    this.#file = file;
    this.#partBytes = partBytes;
  }

  /**
   * Opens `file` at `finalPath`: published when the final file is there with the listed size;
   * resumed when a partial of the right size has a journal for this size, ETag and part size;
   * otherwise a fresh preallocated partial (an old journal is removed).
   */
  static async open(
    finalPath: string,
    file: ArtifactFile,
    partBytes: number,
  ): Promise<{ readonly staged: StagedFile; readonly start: StagedStart }> {
    const staged = new StagedFile(finalPath, file, partBytes);
    const published = await statOrUndefined(finalPath);
    if (published?.isFile() === true && published.size === file.size) {
      await staged.discard();
      return { staged, start: 'published' };
    }
    const done = await staged.#readJournal();
    if (done !== undefined) {
      staged.#handle = await open(staged.partialPath, 'r+').catch(toDiskError);
      return { staged, start: done };
    }
    await staged.#createFresh();
    return { staged, start: new PartBitmap(partCount(file.size, partBytes)) };
  }

  /** The file as listed (a restart after a change swaps in the new listing). */
  get file(): ArtifactFile {
    return this.#file;
  }

  /** Writes all of `chunk` at `position` of the partial file. */
  async write(chunk: Uint8Array, position: number): Promise<void> {
    const handle = this.#open();
    let written = 0;
    while (written < chunk.length) {
      const { bytesWritten } = await handle
        .write(chunk, written, chunk.length - written, position + written)
        .catch(toDiskError);
      written += bytesWritten;
    }
  }

  /** Records `done` parts: data flushed first, then the journal replaced atomically. */
  async saveJournal(done: PartBitmap): Promise<void> {
    if (this.#handle === undefined) return;
    // Encoded before the flush: a part finishing meanwhile is not claimed before its data is synced.
    const text = encodePartsJournal(this.#subject(), done);
    await this.#handle.datasync().catch(toDiskError);
    const tmp = `${this.journalPath}.tmp`;
    await writeFile(tmp, text).catch(toDiskError);
    await rename(tmp, this.journalPath).catch(toDiskError);
  }

  /** Starts the file over for `file` (the object changed): partial and journal from scratch. */
  async restart(file: ArtifactFile): Promise<void> {
    await this.discard();
    this.#file = file;
    await this.#createFresh();
  }

  /**
   * Verifies the complete partial and renames it into place. A failed check removes the partial
   * and its journal and rejects with WEIGHTS_INTEGRITY or WEIGHTS_CORRUPT_SAFETENSORS; an abort
   * keeps them (the journal says every part is done, so a later pull only verifies again).
   */
  async publish(signal: AbortSignal): Promise<void> {
    const handle = this.#open();
    try {
      await this.#verify(handle, signal);
    } catch (err) {
      if (!signal.aborted) await this.discard();
      throw err;
    }
    await handle.sync().catch(toDiskError);
    await this.close();
    await rename(this.partialPath, this.finalPath).catch(toDiskError);
    await rm(this.journalPath, { force: true });
  }

  /** Closes the partial and removes it and its journal. */
  async discard(): Promise<void> {
    await this.close();
    await Promise.all(
      [this.partialPath, this.journalPath, `${this.journalPath}.tmp`].map((p) =>
        rm(p, { force: true }),
      ),
    );
  }

  /** Closes the partial file (idempotent). */
  async close(): Promise<void> {
    const handle = this.#handle;
    this.#handle = undefined;
    await handle?.close();
  }

  async #verify(handle: FileHandle, signal: AbortSignal): Promise<void> {
    const file = this.#file;
    const { size } = await handle.stat();
    if (size !== file.size)
      throw new AppError('WEIGHTS_INTEGRITY', `${file.path}: ${size} bytes, listed ${file.size}`);
    if (file.path.endsWith('.safetensors')) await checkSafetensors(handle, file);
    if (file.sha256 !== undefined) {
      // Hashed once the file is whole, not incrementally: parts finish out of order, so an
      // in-order hash would have to re-read or buffer anyway, and with the file in the page
      // cache read+hash measured no slower than hashing the same bytes from memory
      // (256 MiB here: ~0.5-0.7 s both ways; ~3 s when the pages had been written back).
      const hash = createHash('sha256');
      await pipeline(createReadStream(this.partialPath, { signal, highWaterMark: 1 << 20 }), hash);
      const got = hash.digest('hex');
      if (got !== file.sha256.toLowerCase())
        throw new AppError(
          'WEIGHTS_INTEGRITY',
          `${file.path}: sha256 ${got}, listed ${file.sha256}`,
        );
    }
  }

  async #readJournal(): Promise<PartBitmap | undefined> {
    const [text, partial] = await Promise.all([
      readFile(this.journalPath, 'utf8').catch(() => undefined),
      statOrUndefined(this.partialPath),
    ]);
    if (text === undefined || partial?.isFile() !== true || partial.size !== this.#file.size)
      return undefined;
    const decision = decodePartsJournal(text, this.#subject());
    return decision.kind === 'resume' ? decision.done : undefined;
  }

  async #createFresh(): Promise<void> {
    await rm(this.journalPath, { force: true });
    const handle = await open(this.partialPath, 'w+').catch(toDiskError);
    this.#handle = handle;
    // Sparse preallocation: the size is set now so positional writes land anywhere; Node has no
    // fallocate, so space is claimed as parts arrive (ENOSPC surfaces on write).
    await handle.truncate(this.#file.size).catch(toDiskError);
  }

  #subject() {
    const { path, size, etag } = this.#file;
    return { path, size, etag, partBytes: this.#partBytes };
  }

  #open(): FileHandle {
    if (this.#handle === undefined) throw new Error(`${this.partialPath} is not open`);
    return this.#handle;
  }
}

async function checkSafetensors(handle: FileHandle, file: ArtifactFile): Promise<void> {
  const corrupt = (problem: string): AppError =>
    new AppError('WEIGHTS_CORRUPT_SAFETENSORS', `${file.path}: ${problem}`);
  const prefix = new Uint8Array(8);
  await handle.read(prefix, 0, 8, 0);
  const length = safetensorsHeaderLength(prefix, file.size);
  if (length.kind === 'corrupt') throw corrupt(length.problem);
  const header = new Uint8Array(length.headerBytes);
  const { bytesRead } = await handle.read(header, 0, header.length, 8);
  if (bytesRead !== header.length) throw corrupt('header shorter than its length');
  const check = validateSafetensorsHeader(header, file.size);
  if (check.kind === 'corrupt') throw corrupt(check.problem);
}

async function statOrUndefined(path: string) {
  return stat(path).catch(() => undefined);
}

/** ENOSPC and EDQUOT become WEIGHTS_DISK_FULL; other file-system errors pass through. */
export function toDiskError(err: unknown): never {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOSPC' || code === 'EDQUOT')
    throw new AppError('WEIGHTS_DISK_FULL', 'the staging disk is full', {
      httpStatus: 507,
      cause: err,
    });
  throw err;
}
