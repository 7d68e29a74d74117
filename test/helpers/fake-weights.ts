/**
 * Small fakes of the weights seams for the node cache's tests: an in-memory source of
 * artifacts, the `resolveSource` function over it, and a streamer that writes files into the
 * staging directory (resuming what a previous stream left there), with knobs to pause and fail.
 */
import { mkdir, rename, stat, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { AppError } from '../../src/shared/index.js';
import type {
  ArtifactFile,
  ArtifactListing,
  ArtifactRef,
  ArtifactSource,
  ArtifactStream,
  ByteRange,
  PullProgress,
  StreamArtifactOptions,
  StreamerSettings,
} from '../../src/weights/index.js';

export const testSettings: StreamerSettings = {
  partBytes: 8,
  concurrency: 2,
  retry: { attempts: 1, initialMs: 1, maxMs: 1 },
  partIdleTimeoutMs: 5_000,
};

/** Artifacts by canonical URI: file path → content. */
export class FakeArtifacts {
  readonly #artifacts = new Map<string, Map<string, Buffer>>();
  listCalls = 0;

  add(uri: string, files: Record<string, string | number>): void {
    const map = new Map<string, Buffer>();
    for (const [path, content] of Object.entries(files))
      map.set(path, typeof content === 'number' ? Buffer.alloc(content, 7) : Buffer.from(content));
    this.#artifacts.set(uri, map);
  }

  bytes(uri: string, path: string): Buffer {
    return this.#artifacts.get(uri)!.get(path)!;
  }

  /** `s3://bucket/prefix` and `hf://org/model`; anything else is an unsupported scheme. */
  resolveSource = (uri: string): { ref: ArtifactRef; source: ArtifactSource } => {
    const s3 = /^s3:\/\/([^/]+)\/(.+?)\/*$/.exec(uri);
    const hf = /^hf:\/\/([^/@]+\/[^/@]+)$/.exec(uri);
    let ref: ArtifactRef;
    if (s3 !== null)
      ref = { scheme: 's3', uri: `s3://${s3[1]}/${s3[2]}`, bucket: s3[1]!, prefix: s3[2]! };
    else if (hf !== null) ref = { scheme: 'hf', uri, repo: hf[1]!, revision: 'main' };
    else
      throw new AppError('WEIGHTS_UNSUPPORTED_SCHEME', `unsupported ${uri}`, { httpStatus: 400 });
    return { ref, source: this.#source(ref) };
  };

  #source(ref: ArtifactRef): ArtifactSource {
    return {
      list: (signal) => {
        this.listCalls += 1;
        signal.throwIfAborted();
        const files = this.#artifacts.get(ref.uri);
        if (files === undefined)
          return Promise.reject(new AppError('WEIGHTS_NOT_FOUND', `no ${ref.uri}`));
        const listed: ArtifactFile[] = [...files].map(([path, b]) => ({ path, size: b.length }));
        return Promise.resolve({ ref, files: listed } satisfies ArtifactListing);
      },
      readRange: (file, range) =>
        Promise.resolve([
          this.#artifacts.get(ref.uri)!.get(file.path)!.subarray(range.start, range.end),
        ]).then((chunks) => toAsync(chunks)),
    };
  }
}

async function* toAsync(chunks: readonly Uint8Array[]): AsyncIterable<Uint8Array> {
  for (const chunk of chunks) yield await Promise.resolve(chunk);
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

/** A streamer writing each file as `<path>.partial`, then renaming it; see the file comment. */
export class FakeStreamer {
  starts = 0;
  /** Per start: the files already complete in staging when it began (resumed). */
  readonly resumed: string[][] = [];
  /** Paths read through `read()` while pulling. */
  readonly reads: string[] = [];
  /** When set, each stream stops before its last file until {@link release} is called. */
  pauseBeforeLast = false;
  /** When set, each stream fails after writing its first file. */
  failAfterFirst = false;
  #gate = deferred();
  #paused = deferred();

  /** Resolves once a stream is waiting at the pause. */
  whenPaused(): Promise<void> {
    return this.#paused.promise;
  }

  release(): void {
    this.#gate.resolve();
    this.#gate = deferred();
    this.#paused = deferred();
  }

  stream = (options: StreamArtifactOptions): ArtifactStream => {
    this.starts += 1;
    let bytesDone = 0;
    const files = options.listing.files;
    const done = this.#run(options, (n) => (bytesDone += n));
    done.catch(() => undefined);
    const progress = (): PullProgress => ({
      uri: options.listing.ref.uri,
      totalBytes: files.reduce((s, f) => s + f.size, 0),
      bytesDone,
      bytesPerSecond: 0,
      partsInFlight: 1,
      files: files.map((f) => ({ path: f.path, size: f.size, bytesDone: 0, state: 'fetching' })),
    });
    const read = async (path: string, range: ByteRange, signal: AbortSignal) => {
      this.reads.push(path);
      const file = files.find((f) => f.path === path)!;
      return options.source.readRange(file, range, signal);
    };
    return { done, progress, read };
  };

  async #run(o: StreamArtifactOptions, count: (n: number) => void): Promise<void> {
    const present: string[] = [];
    for (const f of o.listing.files)
      if (
        await stat(join(o.stagingDir, f.path)).then(
          () => true,
          () => false,
        )
      )
        present.push(f.path);
    this.resumed.push(present);
    let index = 0;
    for (const file of o.listing.files) {
      index += 1;
      if (index === o.listing.files.length && this.pauseBeforeLast) {
        this.#paused.resolve();
        await abortable(this.#gate.promise, o.signal);
      }
      if (present.includes(file.path)) continue;
      o.signal.throwIfAborted();
      const chunks: Buffer[] = [];
      for await (const c of await o.source.readRange(file, { start: 0, end: file.size }, o.signal))
        chunks.push(Buffer.from(c));
      const target = join(o.stagingDir, file.path);
      await mkdir(dirname(target), { recursive: true });
      await writeFile(`${target}.partial`, Buffer.concat(chunks));
      await rename(`${target}.partial`, target);
      count(file.size);
      o.onBytes?.(file.size);
      if (this.failAfterFirst)
        throw new AppError('WEIGHTS_SOURCE_FAILED', 'the fake source reset the connection');
    }
  }
}

function abortable(promise: Promise<void>, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = (): void => reject(new AppError('WEIGHTS_ABORTED', 'stream aborted'));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    void promise.then(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    });
  });
}

/** Reads a whole async iterable of bytes. */
export async function collect(chunks: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const out: Buffer[] = [];
  for await (const c of chunks) out.push(Buffer.from(c));
  return Buffer.concat(out);
}
