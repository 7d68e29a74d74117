/**
 * An in-memory ArtifactSource for the streamer's tests: it serves objects in chunks, records every
 * readRange call (range, concurrency), conditions reads on the ETag like S3/HTTP do, and injects
 * the faults a real store produces in the body iterable: a reset mid-part, a 500, a stalled body
 * that ignores its signal, a truncated body, an object replaced mid-pull, and a hold (the call
 * waits until released or aborted) so tests can order events without sleeping.
 */
import { createHash } from 'node:crypto';
import { AppError } from '../../../src/shared/index.js';
import type {
  ArtifactFile,
  ArtifactListing,
  ArtifactSource,
  ByteRange,
} from '../../../src/weights/index.js';

/** What one call does instead of serving its range normally. */
export type Fault =
  | { readonly kind: 'reset'; readonly afterBytes: number }
  | { readonly kind: 'http-500' }
  | { readonly kind: 'stall'; readonly afterBytes: number }
  | { readonly kind: 'truncate'; readonly afterBytes: number }
  | { readonly kind: 'change' }
  | { readonly kind: 'hold' };

/** One recorded readRange call. */
export interface RangeCall {
  readonly path: string;
  readonly range: ByteRange;
  /** True once every byte of the range was served. */
  completed: boolean;
}

export class FakeArtifactSource implements ArtifactSource {
  readonly calls: RangeCall[] = [];
  maxConcurrent = 0;
  listCalls = 0;
  /** Decides a fault for the n-th call (0-based) of the pull, or none. */
  fault: (call: RangeCall, n: number) => Fault | undefined = () => undefined;
  readonly #objects = new Map<string, { bytes: Uint8Array; version: number; sha256: boolean }>();
  readonly #held = new Set<() => void>();
  #concurrent = 0;
  readonly #chunkBytes: number;

  constructor(chunkBytes = 1000) {
    this.#chunkBytes = chunkBytes;
  }

  /** Adds or replaces an object (a replacement gets a new ETag). */
  put(path: string, bytes: Uint8Array, options: { sha256?: boolean } = {}): void {
    const version = (this.#objects.get(path)?.version ?? 0) + 1;
    this.#objects.set(path, { bytes, version, sha256: options.sha256 ?? false });
  }

  bytesOf(path: string): Uint8Array {
    const o = this.#objects.get(path);
    if (o === undefined) throw new Error(`no object ${path}`);
    return o.bytes;
  }

  /** Lets every held call go on. */
  releaseHeld(): void {
    for (const release of [...this.#held]) release();
  }

  get heldCount(): number {
    return this.#held.size;
  }

  list(): Promise<ArtifactListing> {
    this.listCalls++;
    return Promise.resolve({
      ref: { scheme: 's3', uri: 's3://bucket/model', bucket: 'bucket', prefix: 'model' },
      files: [...this.#objects].map(([path, o]) => this.#fileOf(path, o)),
    });
  }

  async readRange(
    file: ArtifactFile,
    range: ByteRange,
    signal: AbortSignal,
  ): Promise<AsyncIterable<Uint8Array>> {
    const call: RangeCall = { path: file.path, range, completed: false };
    const n = this.calls.push(call) - 1;
    const fault = this.fault(call, n);
    if (fault?.kind === 'change') {
      const o = this.#objects.get(file.path)!;
      this.put(
        file.path,
        o.bytes.map((b) => b ^ 0xff),
      );
    }
    const o = this.#objects.get(file.path);
    if (o === undefined) throw new AppError('WEIGHTS_NOT_FOUND', `no ${file.path}`);
    if (file.etag !== this.#etagOf(file.path, o.version))
      throw new AppError('WEIGHTS_SOURCE_CHANGED', `${file.path}: precondition failed`);
    if (fault?.kind === 'http-500') throw new AppError('WEIGHTS_SOURCE_FAILED', 'HTTP 500');
    if (fault?.kind === 'hold') await this.#hold(signal);
    return this.#body(call, o.bytes.subarray(range.start, range.end), fault, signal);
  }

  async *#body(
    call: RangeCall,
    bytes: Uint8Array,
    fault: Fault | undefined,
    signal: AbortSignal,
  ): AsyncGenerator<Uint8Array> {
    this.#concurrent++;
    this.maxConcurrent = Math.max(this.maxConcurrent, this.#concurrent);
    try {
      for (let at = 0; at < bytes.length; at += this.#chunkBytes) {
        await new Promise((r) => setImmediate(r));
        if (signal.aborted) throw signal.reason;
        if (fault !== undefined && 'afterBytes' in fault && at >= fault.afterBytes) {
          if (fault.kind === 'reset')
            throw Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
          if (fault.kind === 'truncate') return;
          // A stalled body that ignores its signal: only the streamer's idle timeout ends it.
          await new Promise(() => undefined);
        }
        yield bytes.slice(at, Math.min(bytes.length, at + this.#chunkBytes));
      }
      call.completed = true;
    } finally {
      this.#concurrent--;
    }
  }

  #hold(signal: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      const release = (): void => {
        this.#held.delete(release);
        signal.removeEventListener('abort', onAbort);
        resolve();
      };
      const onAbort = (): void => {
        this.#held.delete(release);
        reject(signal.reason as Error);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.#held.add(release);
    });
  }

  #fileOf(path: string, o: { bytes: Uint8Array; version: number; sha256: boolean }): ArtifactFile {
    return {
      path,
      size: o.bytes.length,
      etag: this.#etagOf(path, o.version),
      ...(o.sha256 ? { sha256: createHash('sha256').update(o.bytes).digest('hex') } : {}),
    };
  }

  #etagOf(path: string, version: number): string {
    return `"${path}-v${version}"`;
  }
}
