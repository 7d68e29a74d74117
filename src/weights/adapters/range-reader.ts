/**
 * Reading a range of a file while it is being pulled: each piece is yielded as soon as its bytes
 * are on disk. The partial file is opened (or the published one, once renamed: a descriptor
 * opened on the partial stays valid across the rename), read at positions, closed at the end.
 */
import { open } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import type { ByteRange, RangeAvailability } from '../index.js';

/** Largest piece yielded at once (a bound on the reader's buffer). */
export const READ_PIECE_BYTES = 1024 * 1024;

/** Where the bytes are and when they are there. */
export interface ReadableStaging {
  readonly partialPath: string;
  readonly finalPath: string;
  readonly availability: RangeAvailability;
  /** True once the file is under its final name. */
  readonly published: () => boolean;
}

/** The pieces of `range` in order, each once available; waits reject on failure or abort. */
export async function* readAvailable(
  staging: ReadableStaging,
  range: ByteRange,
  signal: AbortSignal,
): AsyncGenerator<Uint8Array> {
  if (range.end <= range.start) return;
  let handle: FileHandle | undefined;
  try {
    for (let start = range.start; start < range.end; start += READ_PIECE_BYTES) {
      const piece = { start, end: Math.min(range.end, start + READ_PIECE_BYTES) };
      await staging.availability.waitFor(piece, signal);
      handle ??= await openEither(staging);
      const buf = new Uint8Array(piece.end - piece.start);
      let got = 0;
      while (got < buf.length) {
        const { bytesRead } = await handle.read(buf, got, buf.length - got, start + got);
        if (bytesRead === 0) throw new Error(`${staging.finalPath}: unexpected end of file`);
        got += bytesRead;
      }
      yield buf;
    }
  } finally {
    await handle?.close();
  }
}

/** The partial file, or the published one when it was renamed already. */
async function openEither(staging: ReadableStaging): Promise<FileHandle> {
  if (staging.published()) return open(staging.finalPath, 'r');
  try {
    return await open(staging.partialPath, 'r');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    return open(staging.finalPath, 'r');
  }
}
