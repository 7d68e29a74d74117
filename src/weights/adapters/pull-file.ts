/**
 * One file of a pull: its staged partial, the ranges on disk, its state for progress, its
 * journal (paced by journal-pacer.ts), the one restart allowed when its object changes, and
 * publication.
 */
import { setMaxListeners } from 'node:events';
import { AppError, hasCode, linkedSignal } from '../../shared/index.js';
import type { Clock } from '../../shared/index.js';
import { RangeAvailability, listenerBound, partRange } from '../index.js';
import type {
  ArtifactFile,
  FileProgress,
  PartLease,
  PartScheduler,
  StreamArtifactOptions,
} from '../index.js';
import type { ReadableStaging } from './range-reader.js';
import { JournalPacer } from './journal-pacer.js';
import { StagedFile } from './staged-file.js';
import { prepareStagingParent, stagingPathOf } from './staging-path.js';

/** Restarts allowed per file when its object changes mid-pull. */
const MAX_RESTARTS = 1;

/** What a file needs from its pull. */
export interface PullFileHooks {
  readonly maxReaders: number;
  readonly clock: Clock;
  readonly onError: (err: unknown) => void;
  readonly track: (task: Promise<void>) => void;
}

/** Per-file state of one pull. */
export class PullFile {
  readonly availability: RangeAvailability;
  readonly #index: number;
  readonly #options: StreamArtifactOptions;
  readonly #scheduler: PartScheduler;
  readonly #hooks: PullFileHooks;
  #listed: ArtifactFile;
  #finalPath = '';
  #staged: StagedFile | undefined;
  #state: FileProgress['state'] = 'queued';
  #published = false;
  #finishing = false;
  #restarts = 0;
  #restarting = false;
  #fetching = 0;
  #controller = new AbortController();
  readonly #journal: JournalPacer;

  constructor(
    index: number,
    file: ArtifactFile,
    options: StreamArtifactOptions,
    scheduler: PartScheduler,
    hooks: PullFileHooks,
  ) {
    setMaxListeners(listenerBound(options.settings.concurrency), this.#controller.signal);
    this.#index = index;
    this.#listed = file;
    this.#options = options;
    this.#scheduler = scheduler;
    this.#hooks = hooks;
    this.availability = new RangeAvailability(file.size, { maxWaiters: hooks.maxReaders });
    this.#journal = new JournalPacer(
      hooks.clock,
      () => this.#stagedFile().saveJournal(this.#scheduler.doneOf(this.#index)),
      hooks.track,
    );
  }

  /** The file as listed now (a restart swaps in the new listing). */
  get file(): ArtifactFile {
    return this.#listed;
  }

  /** Aborts this file's parts in flight when it restarts. */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** Throws WEIGHTS_PATH_ESCAPE when the listed path could leave the staging directory. */
  checkPath(): void {
    this.#finalPath = stagingPathOf(this.#options.stagingDir, this.#listed.path);
  }

  /** Opens the staged file; resumed parts (or a published file) count as done and on disk. */
  async open(): Promise<void> {
    await prepareStagingParent(this.#options.stagingDir, this.#finalPath);
    const { partBytes } = this.#options.settings;
    const { staged, start } = await StagedFile.open(this.#finalPath, this.#listed, partBytes);
    this.#staged = staged;
    const size = this.#listed.size;
    const done = this.#scheduler.doneOf(this.#index);
    for (let part = 0; part < done.count; part++) {
      if (start !== 'published' && !start.has(part)) continue;
      this.#scheduler.markDone(this.#index, part);
      this.availability.add(partRange(size, partBytes, part));
    }
    if (start === 'published') {
      this.#published = true;
      this.#finishing = true;
      this.#state = 'done';
    }
  }

  /** True when every part is on disk and the file is not yet being published. */
  complete(): boolean {
    return !this.#finishing && this.#scheduler.isFileDone(this.#index);
  }

  /** True when `lease` is of an earlier generation of this file, or the file is restarting. */
  stale(lease: PartLease): boolean {
    return this.#restarting || lease.generation !== this.#scheduler.generationOf(this.#index);
  }

  startFetch(): void {
    this.#fetching++;
    if (this.#state === 'queued') this.#state = 'fetching';
  }

  endFetch(): void {
    this.#fetching--;
  }

  /** Writes a chunk at its position and marks its bytes available to readers. */
  async write(chunk: Uint8Array, position: number): Promise<void> {
    await this.#stagedFile().write(chunk, position);
    this.availability.add({ start: position, end: position + chunk.length });
  }

  /** A part finished (not the last): journal when enough parts or time went by. */
  partDone(): void {
    this.#journal.partDone();
  }

  /**
   * Starts the file over after its object changed: stops its other parts, lists the source for
   * the new version, and replans from scratch. A second change fails the pull.
   */
  async restart(cause: unknown, signal: AbortSignal, changed: () => Promise<void>): Promise<void> {
    if (this.#restarting) return;
    if (this.#restarts >= MAX_RESTARTS) {
      this.#hooks.onError(
        new AppError(
          'WEIGHTS_SOURCE_CHANGED',
          `${this.#listed.path} changed again while being pulled; gave up after ${MAX_RESTARTS} restart`,
          { httpStatus: 502, cause },
        ),
      );
      return;
    }
    this.#restarts++;
    this.#restarting = true;
    this.#scheduler.hold(this.#index);
    this.#controller.abort(cause);
    while (this.#fetching > 0 && !signal.aborted) await changed();
    await this.#journal.saving;
    if (signal.aborted) {
      this.#restarting = false;
      return;
    }
    const linked = linkedSignal([signal], this.#options.settings.partIdleTimeoutMs);
    try {
      const listing = await this.#options.source.list(linked.signal);
      const file = listing.files.find((f) => f.path === this.#listed.path);
      if (file === undefined)
        throw new AppError('WEIGHTS_NOT_FOUND', `${this.#listed.path} is gone from the source`);
      await this.#stagedFile().restart(file);
      this.#listed = file;
      this.availability.reset(file.size);
      this.#controller = new AbortController();
      setMaxListeners(listenerBound(this.#options.settings.concurrency), this.#controller.signal);
      this.#state = 'queued';
      this.#scheduler.restartFile(this.#index, file.size);
    } catch (err) {
      this.#hooks.onError(err);
    } finally {
      linked.dispose();
      this.#restarting = false;
    }
  }

  /** Verifies and renames the complete file into place; failures go to the pull. */
  async publish(signal: AbortSignal): Promise<void> {
    if (this.#finishing) return;
    this.#finishing = true;
    this.#state = 'verifying';
    await this.#journal.saving;
    try {
      await this.#stagedFile().publish(signal);
      this.#published = true;
      this.#state = 'done';
    } catch (err) {
      this.#state = 'failed';
      throw err;
    }
  }

  /**
   * After the pull failed: a full disk removes the partial (nothing of this pull is left
   * half-written); anything else (abort included) keeps it with an up-to-date journal.
   */
  async settleAfterFailure(failure: Error): Promise<void> {
    if (this.#published || this.#staged === undefined) return;
    if (this.#state !== 'failed') this.#state = 'failed';
    await this.#journal.saving;
    if (hasCode(failure, 'WEIGHTS_DISK_FULL')) {
      await this.#staged.discard().catch(() => undefined);
      return;
    }
    await this.#staged.saveJournal(this.#scheduler.doneOf(this.#index)).catch(() => undefined);
    await this.#staged.close().catch(() => undefined);
  }

  progress(): FileProgress {
    return {
      path: this.#listed.path,
      size: this.availability.size,
      bytesDone: this.availability.bytesAvailable,
      state: this.#state,
    };
  }

  /** Where readers find the bytes. */
  readable(): ReadableStaging {
    const staged = this.#stagedFile();
    return {
      partialPath: staged.partialPath,
      finalPath: staged.finalPath,
      availability: this.availability,
      published: () => this.#published,
    };
  }

  #stagedFile(): StagedFile {
    if (this.#staged === undefined) throw new Error(`${this.#listed.path} is not open`);
    return this.#staged;
  }
}
