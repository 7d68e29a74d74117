/**
 * `FileKernelLogSource`: tails the kernel log for Xid lines. Two shapes behind one port:
 * - `/dev/kmsg` (a character device): opened once non-blocking; each read returns one record
 *   (`prio,seq,usec,flags;message`) until EAGAIN. EPIPE means the ring buffer overwrote records
 *   we had not read yet: they are counted and reading goes on.
 * - a regular file in dmesg format (tests, `INFERNODE_KMSG_PATH`): read from the remembered byte
 *   offset; a smaller size or a new inode means truncation or rotation, so reading restarts at 0.
 */
import { constants, type FileHandle, open, stat } from 'node:fs/promises';
import { AppError, type Logger } from '../../shared/index.js';
import type { CallOptions, KernelLogSource } from '../gpu-probe.js';
import { keepNewest, LineSplitter } from '../line-splitter.js';

/** Options of {@link FileKernelLogSource}. */
export interface FileKernelLogSourceOptions {
  /** `gpu.kmsgPath`. Default `/dev/kmsg`. */
  readonly path: string;
  /** `gpu.kmsgFromStart`: read what is already there on the first call. Default false. */
  readonly fromStart: boolean;
  /** `gpu.kmsgMaxLinesPerRead`: newest lines kept per call. */
  readonly maxLinesPerRead: number;
  readonly log: Logger;
}

/** Largest read per call from a regular file, bytes. */
const MAX_FILE_READ_BYTES = 4 * 1024 * 1024;
/** /dev/kmsg refuses reads into buffers smaller than a record (EINVAL); records are ≤ 8 KiB. */
const KMSG_RECORD_BYTES = 8192;

const errno = (err: unknown): string | undefined => (err as NodeJS.ErrnoException).code;

/** The kernel-log adapter of {@link KernelLogSource}. */
export class FileKernelLogSource implements KernelLogSource {
  readonly #options: FileKernelLogSourceOptions;
  readonly #splitter = new LineSplitter();
  readonly #decoder = new TextDecoder();
  #started = false;
  #offset = 0;
  #inode = -1;
  #device: FileHandle | null = null;
  #lostRecords = 0;

  constructor(options: FileKernelLogSourceOptions) {
    this.#options = options;
  }

  /** Records the kernel overwrote before we read them (/dev/kmsg EPIPE), since construction. */
  get lostRecords(): number {
    return this.#lostRecords;
  }

  /** New lines since the last call; see the port. Throws AppError `GPU_KMSG_READ_FAILED`. */
  async readNewLines({ signal }: CallOptions): Promise<string[]> {
    if (signal.aborted) return [];
    try {
      const st = await stat(this.#options.path).catch((err: unknown) => {
        if (errno(err) === 'ENOENT') return null;
        throw err;
      });
      if (st === null) {
        this.#offset = 0; // a file that appears later is new: read it from the start
        this.#started = true;
        return [];
      }
      const lines = st.isCharacterDevice()
        ? await this.#readDevice()
        : await this.#readFile(st.size, st.ino);
      const kept = keepNewest(lines, this.#options.maxLinesPerRead);
      if (kept.dropped > 0)
        this.#options.log.warn({ dropped: kept.dropped }, 'kernel log burst: oldest lines dropped');
      return kept.lines;
    } catch (err) {
      throw new AppError('GPU_KMSG_READ_FAILED', `cannot read ${this.#options.path}`, {
        cause: err,
      });
    }
  }

  async #readFile(size: number, inode: number): Promise<string[]> {
    if (!this.#started) {
      this.#started = true;
      this.#inode = inode;
      this.#offset = this.#options.fromStart ? 0 : size;
    }
    if (inode !== this.#inode || size < this.#offset) {
      this.#options.log.info(
        { path: this.#options.path },
        'kernel log truncated or rotated: reading from start',
      );
      this.#inode = inode;
      this.#offset = 0;
      this.#splitter.reset();
    }
    if (size === this.#offset) return [];
    const length = Math.min(size - this.#offset, MAX_FILE_READ_BYTES);
    const fh = await open(this.#options.path, 'r');
    try {
      const buf = Buffer.alloc(length);
      const { bytesRead } = await fh.read(buf, 0, length, this.#offset);
      this.#offset += bytesRead;
      return this.#splitter.push(
        this.#decoder.decode(buf.subarray(0, bytesRead), { stream: true }),
      );
    } finally {
      await fh.close();
    }
  }

  async #readDevice(): Promise<string[]> {
    if (this.#device === null) {
      this.#device = await open(this.#options.path, constants.O_RDONLY | constants.O_NONBLOCK);
      if (!this.#options.fromStart) await this.#drainDevice(Number.POSITIVE_INFINITY);
      this.#started = true;
    }
    return this.#drainDevice(this.#options.maxLinesPerRead);
  }

  /** Reads records until EAGAIN or `maxRecords`; returns their lines. */
  async #drainDevice(maxRecords: number): Promise<string[]> {
    const fh = this.#device;
    if (fh === null) return [];
    const buf = Buffer.alloc(KMSG_RECORD_BYTES);
    const lines: string[] = [];
    for (let n = 0; n < maxRecords; n++) {
      try {
        const { bytesRead } = await fh.read(buf, 0, KMSG_RECORD_BYTES, null);
        if (bytesRead === 0) break;
        const record = buf.toString('utf8', 0, bytesRead);
        if (Number.isFinite(maxRecords)) lines.push(...record.split('\n').filter((l) => l !== ''));
      } catch (err) {
        if (errno(err) === 'EAGAIN') break;
        if (errno(err) === 'EPIPE') {
          this.#lostRecords += 1;
          continue;
        }
        throw err;
      }
    }
    return lines;
  }

  /** Closes the /dev/kmsg handle, if open. Idempotent. */
  async close(): Promise<void> {
    const fh = this.#device;
    this.#device = null;
    await fh?.close();
  }
}
