/**
 * The ranged parallel streamer: every file of an artifact fetched as parts, up to
 * `settings.concurrency` in flight across the pull, each part one ranged read written at its
 * position in a preallocated `.partial`; a parts journal so an interrupted pull resumes; retries
 * with backoff per part; a changed object restarts its file once; each finished file is verified
 * and renamed into place. Engines read ranges while bytes still arrive (`read`), and the parts
 * they need jump the queue.
 */
import { setMaxListeners } from 'node:events';
import { AppError, backoffDelayMs, sleep, systemClock, systemRng } from '../../shared/index.js';
import type { Clock, Rng } from '../../shared/index.js';
import { PartScheduler, RateWindow, listenerBound } from '../index.js';
import type {
  ArtifactStream,
  ByteRange,
  PartLease,
  PullProgress,
  StreamArtifactOptions,
} from '../index.js';
import { fetchPart } from './part-fetch.js';
import { classifyPartFailure, partExhausted } from './part-errors.js';
import { PullFile } from './pull-file.js';
import { READ_PIECE_BYTES, readAvailable } from './range-reader.js';
import { checkStagingNames } from './staging-path.js';

/** Readers that may wait for bytes of one file at once. */
export const MAX_READERS_PER_FILE = 256;
/** The progress rate's window, ms. */
const RATE_WINDOW_MS = 5000;

/** Starts pulling `options.listing` into `options.stagingDir`; see ArtifactStream. */
export function streamArtifact(options: StreamArtifactOptions): ArtifactStream {
  const pull = new ArtifactPull(options);
  return {
    done: pull.done,
    progress: () => pull.progress(),
    read: (path, range, signal) => pull.read(path, range, signal),
  };
}

class ArtifactPull {
  readonly done: Promise<void>;
  readonly #options: StreamArtifactOptions;
  readonly #clock: Clock;
  readonly #rng: Rng;
  readonly #scheduler: PartScheduler;
  readonly #files: PullFile[];
  readonly #internal = new AbortController();
  readonly #rate = new RateWindow({ windowMs: RATE_WINDOW_MS });
  readonly #tasks = new Set<Promise<void>>();
  readonly #ready: Promise<void>;
  #failure: AppError | Error | undefined;
  #fetching = 0;
  #wake = deferred();

  constructor(options: StreamArtifactOptions) {
    this.#options = options;
    // Every part in flight (and every waiting reader) listens on the pull's signal: a bounded
    // number, so raise Node's warning threshold to it instead of leaking warnings.
    setMaxListeners(listenerBound(options.settings.concurrency), this.#internal.signal);
    this.#clock = options.clock ?? systemClock;
    this.#rng = options.rng ?? systemRng;
    const { files } = options.listing;
    this.#scheduler = new PartScheduler(files, options.settings.partBytes);
    this.#files = files.map(
      (file, index) =>
        new PullFile(index, file, options, this.#scheduler, {
          maxReaders: MAX_READERS_PER_FILE,
          clock: this.#clock,
          onError: (err) => this.#fail(err),
          track: (task) => this.#track(task),
        }),
    );
    const onAbort = (): void =>
      this.#fail(new AppError('WEIGHTS_ABORTED', 'the pull was cancelled', { httpStatus: 499 }));
    options.signal.addEventListener('abort', onAbort, { once: true });
    if (options.signal.aborted) onAbort();
    this.#ready = this.#init();
    this.#ready.catch(() => undefined);
    this.done = this.#run().finally(() => options.signal.removeEventListener('abort', onAbort));
  }

  progress(): PullProgress {
    const files = this.#files.map((f) => f.progress());
    return {
      uri: this.#options.listing.ref.uri,
      totalBytes: files.reduce((n, f) => n + f.size, 0),
      bytesDone: files.reduce((n, f) => n + f.bytesDone, 0),
      bytesPerSecond: this.#rate.bytesPerSecond(this.#clock.monotonicMs()),
      partsInFlight: this.#fetching,
      files,
    };
  }

  async read(
    path: string,
    range: ByteRange,
    signal: AbortSignal,
  ): Promise<AsyncIterable<Uint8Array>> {
    const index = this.#scheduler.indexOf(path);
    const file = index === undefined ? undefined : this.#files[index];
    if (file === undefined)
      throw new AppError('WEIGHTS_NOT_FOUND', `${path} is not a file of this artifact`, {
        httpStatus: 404,
      });
    const size = file.availability.size;
    if (!(Number.isSafeInteger(range.start) && Number.isSafeInteger(range.end)))
      throw new RangeError(`bad range [${range.start}, ${range.end})`);
    if (range.start < 0 || range.start > range.end || range.end > size)
      throw new RangeError(`range [${range.start}, ${range.end}) outside ${path} (${size} bytes)`);
    if (this.#scheduler.prioritize(path, range) > 0) this.#notify();
    await this.#ready;
    const first = { start: range.start, end: Math.min(range.end, range.start + READ_PIECE_BYTES) };
    await file.availability.waitFor(first, signal);
    return readAvailable(file.readable(), range, signal);
  }

  async #init(): Promise<void> {
    checkStagingNames(this.#files.map((f) => f.file.path));
    for (const f of this.#files) f.checkPath();
    for (const f of this.#files) {
      const failure = this.#failure;
      if (failure !== undefined) throw failure;
      await f.open();
    }
  }

  async #run(): Promise<void> {
    try {
      await this.#ready;
      for (const f of this.#files) if (f.complete()) this.#track(this.#finish(f));
      const workers = Array.from({ length: this.#options.settings.concurrency }, () =>
        this.#worker(),
      );
      await Promise.all(workers);
    } catch (err) {
      this.#fail(err);
    }
    while (this.#tasks.size > 0) await Promise.allSettled([...this.#tasks]);
    const failure = this.#failure;
    if (failure === undefined) return;
    for (const f of this.#files) await f.settleAfterFailure(failure);
    throw failure;
  }

  async #worker(): Promise<void> {
    while (this.#failure === undefined) {
      const lease = this.#scheduler.take();
      if (lease !== undefined) {
        await this.#runPart(lease);
        continue;
      }
      if (this.#scheduler.allDone) return;
      await this.#wake.promise;
    }
  }

  async #runPart(lease: PartLease): Promise<void> {
    const { settings } = this.#options;
    const f = this.#files[lease.file] as PullFile;
    let written = 0;
    for (;;) {
      if (this.#failed() || f.stale(lease)) return;
      const range = { start: lease.range.start + written, end: lease.range.end };
      let error: unknown;
      let duringWrite = false;
      f.startFetch();
      this.#fetching++;
      try {
        await fetchPart({
          source: this.#options.source,
          file: f.file,
          range,
          signals: [this.#internal.signal, f.signal],
          idleTimeoutMs: settings.partIdleTimeoutMs,
          write: async (chunk, position) => {
            duringWrite = true;
            await f.write(chunk, position);
            duringWrite = false;
            written += chunk.length;
            this.#rate.add(chunk.length, this.#clock.monotonicMs());
            this.#options.onBytes?.(chunk.length);
          },
        });
      } catch (err) {
        error = err;
      } finally {
        f.endFetch();
        this.#fetching--;
        this.#notify();
      }
      if (error === undefined) break;
      if (this.#failed() || f.stale(lease)) return;
      const next = classifyPartFailure(error, duringWrite);
      if (next === 'fail') return this.#fail(error);
      if (next === 'restart-file') {
        await f.restart(error, this.#internal.signal, () => this.#wake.promise);
        this.#notify();
        if (f.complete()) this.#track(this.#finish(f));
        return;
      }
      const attempts = this.#scheduler.failed(lease);
      if (attempts >= settings.retry.attempts)
        return this.#fail(partExhausted(f.file.path, lease, attempts, error));
      const policy = {
        initialMs: settings.retry.initialMs,
        maxMs: settings.retry.maxMs,
        factor: 2,
      };
      await sleep(backoffDelayMs(policy, attempts - 1, this.#rng), this.#internal.signal);
    }
    const { fileDone } = this.#scheduler.complete(lease);
    this.#notify();
    if (fileDone) this.#track(this.#finish(f));
    else f.partDone();
  }

  async #finish(f: PullFile): Promise<void> {
    await f.publish(this.#internal.signal);
    this.#notify();
  }

  #fail(err: unknown): void {
    if (this.#failure === undefined) {
      this.#failure = err instanceof Error ? err : new Error(String(err));
      this.#internal.abort(this.#failure);
      for (const f of this.#files) f.availability.fail(this.#failure);
    }
    this.#notify();
  }

  /** A method, not a field test, so checks after an await see the pull fail meanwhile. */
  #failed(): boolean {
    return this.#failure !== undefined;
  }

  #track(task: Promise<void>): void {
    const tracked = task.catch((err: unknown) => this.#fail(err));
    this.#tasks.add(tracked);
    void tracked.finally(() => this.#tasks.delete(tracked));
  }

  #notify(): void {
    this.#wake.resolve();
    this.#wake = deferred();
  }
}

/** Promise.withResolvers, which Node 20 lacks. */
function deferred(): { readonly promise: Promise<void>; readonly resolve: () => void } {
  let resolve: () => void = () => undefined;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}
