/**
 * The order parts of one pull are fetched in. Sequential by default (file by file, part by part:
 * an engine loading front to back finds its bytes early); `prioritize` moves the parts covering
 * a range an engine wants now to the front. One lease per part at a time, so a part is never
 * fetched twice at once; a file whose object changed is held, then replanned from scratch under
 * a new generation (leases of the old one no longer count).
 */
import type { ByteRange } from './artifact.js';
import { PartBitmap } from './part-bitmap.js';
import { partCount, partRange, partsCovering } from './part-plan.js';

/** A file as the scheduler sees it. */
export interface SchedulerFile {
  readonly path: string;
  readonly size: number;
}

/** A leased part: fetch `range` of file `file`, then report `complete` or `failed`. */
export interface PartLease {
  readonly file: number;
  readonly part: number;
  readonly range: ByteRange;
  readonly generation: number;
}

interface FilePlan {
  size: number;
  generation: number;
  held: boolean;
  done: PartBitmap;
  inFlight: Set<number>;
  attempts: Map<number, number>;
}

/** Part order, leases and retry counts for every file of one pull. */
export class PartScheduler {
  readonly partBytes: number;
  readonly #files: FilePlan[];
  readonly #indexOf = new Map<string, number>();
  /** Prioritized parts as `file:part`, oldest request first; at most one entry per part. */
  #priority: string[] = [];
  #cursor = { file: 0, part: 0 };

  constructor(files: readonly SchedulerFile[], partBytes: number) {
    this.partBytes = partBytes;
    this.#files = files.map((f, i) => {
      this.#indexOf.set(f.path, i);
      return plan(f.size, partBytes, 0);
    });
  }

  /** Marks a part done without a lease (resume from a journal). */
  markDone(file: number, part: number): void {
    this.#plan(file).done.set(part);
  }

  /** The next part to fetch, leased to the caller; undefined when none is free now. */
  take(): PartLease | undefined {
    while (this.#priority.length > 0) {
      const key = this.#priority.shift() ?? '';
      const [file, part] = key.split(':').map(Number) as [number, number];
      if (this.#takeable(file, part)) return this.#lease(file, part);
    }
    let advancing = true;
    for (let file = this.#cursor.file; file < this.#files.length; file++) {
      const p = this.#plan(file);
      const from = file === this.#cursor.file ? this.#cursor.part : 0;
      for (let part = from; part < p.done.count; part++) {
        if (this.#takeable(file, part)) {
          if (advancing) this.#cursor = { file, part: part + 1 };
          return this.#lease(file, part);
        }
        if (p.held || !(p.done.has(part) || p.inFlight.has(part))) advancing = false;
        if (advancing) this.#cursor = { file, part: part + 1 };
      }
    }
    return undefined;
  }

  /** Ends a lease with the part's bytes on disk; `fileDone` when it was the file's last part. */
  complete(lease: PartLease): { readonly fileDone: boolean } {
    const p = this.#plan(lease.file);
    if (p.generation !== lease.generation) return { fileDone: false };
    p.inFlight.delete(lease.part);
    p.done.set(lease.part);
    return { fileDone: p.done.complete };
  }

  /** Counts a failed attempt of a leased part (the lease is kept for the retry); returns attempts so far. */
  failed(lease: PartLease): number {
    const p = this.#plan(lease.file);
    const attempts = (p.attempts.get(lease.part) ?? 0) + 1;
    if (p.generation === lease.generation) p.attempts.set(lease.part, attempts);
    return attempts;
  }

  /** Gives a lease back unfinished (the part will be fetched again). */
  release(lease: PartLease): void {
    const p = this.#plan(lease.file);
    if (p.generation !== lease.generation) return;
    p.inFlight.delete(lease.part);
    this.#rewind(lease.file, lease.part);
  }

  /** Hands out no part of `file` until `restartFile`. */
  hold(file: number): void {
    this.#plan(file).held = true;
  }

  /** Replans `file` for `size` bytes from scratch under a new generation; old leases go stale. */
  restartFile(file: number, size: number): void {
    const old = this.#plan(file);
    this.#files[file] = plan(size, this.partBytes, old.generation + 1);
    this.#rewind(file, 0);
  }

  /**
   * Moves the parts of `path` covering `range` that are neither done nor leased to the front, in
   * order; returns how many were queued. An unknown path or empty range queues nothing.
   */
  prioritize(path: string, range: ByteRange): number {
    const file = this.#indexOf.get(path);
    if (file === undefined) return 0;
    const p = this.#plan(file);
    const covering = partsCovering(p.size, this.partBytes, range);
    if (covering === undefined) return 0;
    const wanted: string[] = [];
    for (let part = covering.first; part <= covering.last; part++)
      if (!p.done.has(part) && !p.inFlight.has(part)) wanted.push(`${file}:${part}`);
    const rest = this.#priority.filter((k) => !wanted.includes(k));
    this.#priority = [...wanted, ...rest];
    return wanted.length;
  }

  /** Index of `path` in the pull, or undefined. */
  indexOf(path: string): number | undefined {
    return this.#indexOf.get(path);
  }

  /** Parts done of `file` (the journal's bitmap). */
  doneOf(file: number): PartBitmap {
    return this.#plan(file).done;
  }

  /** Current generation of `file`. */
  generationOf(file: number): number {
    return this.#plan(file).generation;
  }

  /** True when every part of `file` is done. */
  isFileDone(file: number): boolean {
    return this.#plan(file).done.complete;
  }

  /** True when every part of every file is done. */
  get allDone(): boolean {
    return this.#files.every((p) => p.done.complete);
  }

  /** Parts leased now. */
  get inFlight(): number {
    return this.#files.reduce((n, p) => n + p.inFlight.size, 0);
  }

  #plan(file: number): FilePlan {
    const p = this.#files[file];
    if (p === undefined) throw new RangeError(`no file ${file} in this pull`);
    return p;
  }

  #takeable(file: number, part: number): boolean {
    const p = this.#files[file];
    if (p === undefined || p.held || part >= p.done.count) return false;
    return !p.done.has(part) && !p.inFlight.has(part);
  }

  #lease(file: number, part: number): PartLease {
    const p = this.#plan(file);
    p.inFlight.add(part);
    return { file, part, range: partRange(p.size, this.partBytes, part), generation: p.generation };
  }

  #rewind(file: number, part: number): void {
    const c = this.#cursor;
    if (file < c.file || (file === c.file && part < c.part)) this.#cursor = { file, part };
  }
}

function plan(size: number, partBytes: number, generation: number): FilePlan {
  return {
    size,
    generation,
    held: false,
    done: new PartBitmap(partCount(size, partBytes)),
    inFlight: new Set(),
    attempts: new Map(),
  };
}
