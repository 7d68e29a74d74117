/**
 * A hand-written ArtifactReader (the node cache's face to the read-through endpoint) for tests.
 * An object is either complete, or arriving: its bytes become readable only as the test lands
 * them, in any order, so a test can show a range served before the rest of the object exists.
 * It counts resolves, holds and releases, records every range read, and can fail a read after
 * a given number of bytes (a reader that breaks mid-body).
 */
import type {
  ArtifactReader,
  ByteRange,
  ObjectSummary,
  ReadableObject,
} from '../../src/weights/index.js';

/** One stored object and the test's handles on it. */
export class FakeObject {
  readonly key: string;
  readonly bytes: Uint8Array;
  readonly etag: string;
  readonly lastModifiedMs: number;
  /** Reads fail once they reach this offset (undefined: never). */
  failAt: number | undefined;
  readonly #landed: Uint8Array;
  readonly #waiters = new Set<() => void>();

  constructor(key: string, bytes: Uint8Array, complete: boolean, etag: string) {
    this.key = key;
    this.bytes = bytes;
    this.etag = etag;
    this.lastModifiedMs = Date.UTC(2025, 0, 2, 3, 4, 5);
    this.#landed = new Uint8Array(bytes.length).fill(complete ? 1 : 0);
  }

  /** Makes bytes [start, end) readable and wakes readers waiting on them. */
  land(start: number, end: number): void {
    this.#landed.fill(1, start, end);
    for (const wake of [...this.#waiters]) wake();
  }

  /** How many bytes have landed. */
  landedBytes(): number {
    return this.#landed.reduce((sum, b) => sum + b, 0);
  }

  /** Bytes readable from `pos` on, up to `end`. */
  available(pos: number, end: number): number {
    let n = 0;
    while (pos + n < end && this.#landed[pos + n] === 1) n++;
    return n;
  }

  /** Resolves at the next landing, or rejects when `signal` aborts. */
  nextLanding(signal: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      const done = (): void => {
        this.#waiters.delete(done);
        signal.removeEventListener('abort', onAbort);
        resolve();
      };
      const onAbort = (): void => {
        this.#waiters.delete(done);
        reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
      };
      if (signal.aborted) return onAbort();
      this.#waiters.add(done);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }
}

const CHUNK_BYTES = 16 * 1024;

export class FakeArtifactReader implements ArtifactReader {
  readonly #buckets = new Map<string, Map<string, FakeObject>>();
  /** Objects resolved and not yet released. */
  holds = 0;
  releases = 0;
  resolves = 0;
  /** Every range a client's request read, in order. */
  readonly reads: { key: string; range: ByteRange }[] = [];

  /** Stores an object whose bytes are all readable. */
  addComplete(bucket: string, key: string, bytes: Uint8Array, etag = `etag-${key}`): FakeObject {
    return this.#add(bucket, new FakeObject(key, bytes, true, etag));
  }

  /** Stores an object whose bytes are readable only once landed (see FakeObject.land). */
  addArriving(bucket: string, key: string, bytes: Uint8Array, etag = `etag-${key}`): FakeObject {
    return this.#add(bucket, new FakeObject(key, bytes, false, etag));
  }

  #add(bucket: string, object: FakeObject): FakeObject {
    let objects = this.#buckets.get(bucket);
    if (objects === undefined) this.#buckets.set(bucket, (objects = new Map()));
    objects.set(object.key, object);
    return object;
  }

  resolve(bucket: string, key: string, signal: AbortSignal): Promise<ReadableObject | undefined> {
    if (signal.aborted) return Promise.reject(new Error('aborted'));
    this.resolves++;
    const object = this.#buckets.get(bucket)?.get(key);
    if (object === undefined) return Promise.resolve(undefined);
    this.holds++;
    let released = false;
    const readable: ReadableObject = {
      key,
      size: object.bytes.length,
      etag: object.etag,
      lastModifiedMs: object.lastModifiedMs,
      file: { path: key, size: object.bytes.length, etag: object.etag },
      read: (range, readSignal) => {
        this.reads.push({ key, range });
        return Promise.resolve(chunksOf(object, range, readSignal));
      },
      release: () => {
        if (released) throw new Error(`${key} released twice`);
        released = true;
        this.holds--;
        this.releases++;
      },
    };
    return Promise.resolve(readable);
  }

  list(
    bucket: string,
    prefix: string,
    startAfter: string,
    limit: number,
  ): Promise<{ readonly keys: readonly ObjectSummary[]; readonly truncated: boolean }> {
    const all = [...(this.#buckets.get(bucket)?.values() ?? [])]
      .filter((o) => o.key.startsWith(prefix) && o.key > startAfter)
      .sort((a, b) => (a.key < b.key ? -1 : 1))
      .map((o) => ({
        key: o.key,
        size: o.bytes.length,
        etag: o.etag,
        lastModifiedMs: o.lastModifiedMs,
      }));
    return Promise.resolve({ keys: all.slice(0, limit), truncated: all.length > limit });
  }
}

async function* chunksOf(
  object: FakeObject,
  range: ByteRange,
  signal: AbortSignal,
): AsyncGenerator<Uint8Array> {
  let pos = range.start;
  while (pos < range.end) {
    if (object.failAt !== undefined && pos >= object.failAt)
      throw new Error(`fake read failure at byte ${pos}`);
    const limit = Math.min(range.end, object.failAt ?? range.end, pos + CHUNK_BYTES);
    const n = object.available(pos, limit);
    if (n === 0) {
      if (limit === pos) continue; // at failAt: throw above
      await object.nextLanding(signal);
      continue;
    }
    yield object.bytes.slice(pos, pos + n);
    pos += n;
  }
}
