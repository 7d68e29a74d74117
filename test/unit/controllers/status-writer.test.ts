import { describe, expect, it } from 'vitest';
import {
  ConflictRetryingStatusWriter,
  InMemoryStatusStore,
  type StatusStore,
} from '../../../src/controllers/index.js';
import { AppError } from '../../../src/shared/index.js';

interface Status {
  readonly ready: number;
  readonly phase: string;
}

/** A store where another writer changes the object between our read and our write, `races` times. */
function racingStore(races: number): {
  store: StatusStore<Status>;
  inner: InMemoryStatusStore<Status>;
  writes: () => number;
} {
  const inner = new InMemoryStatusStore<Status>();
  let left = races;
  let writes = 0;
  const store: StatusStore<Status> = {
    read: (key) => inner.read(key),
    write: (key, status, version) => {
      writes++;
      if (left-- > 0) {
        const now = inner.get(key)!;
        inner.put(key, { ...now, ready: now.ready + 1 });
      }
      return inner.write(key, status, version);
    },
  };
  return { store, inner, writes: () => writes };
}

describe('ConflictRetryingStatusWriter', () => {
  it('re-reads and re-applies the change after a conflict', async () => {
    const { store, inner, writes } = racingStore(2);
    inner.put('m', { ready: 0, phase: 'Pending' });
    const writer = new ConflictRetryingStatusWriter(store);
    const seen: number[] = [];
    const result = await writer.update(
      'm',
      (s) => (seen.push(s.ready), { ...s, phase: 'Ready' }),
      {},
    );
    // The other writer's changes are kept: each attempt mutated the fresh status.
    expect(result).toEqual({ ready: 2, phase: 'Ready' });
    expect(inner.get('m')).toEqual({ ready: 2, phase: 'Ready' });
    expect(seen).toEqual([0, 1, 2]);
    expect(writes()).toBe(3);
  });

  it('gives up after maxAttempts and rethrows the conflict', async () => {
    const { store, inner, writes } = racingStore(10);
    inner.put('m', { ready: 0, phase: 'Pending' });
    const writer = new ConflictRetryingStatusWriter(store, { maxAttempts: 3 });
    const failure = writer.update('m', (s) => ({ ...s, phase: 'Ready' }), {});
    await expect(failure).rejects.toMatchObject({ code: 'K8S_CONFLICT' });
    expect(writes()).toBe(3);
  });

  it('rethrows other errors at once, writes nothing when unchanged, and skips a missing object', async () => {
    const inner = new InMemoryStatusStore<Status>();
    inner.put('m', { ready: 1, phase: 'Ready' });
    let writes = 0;
    const failing: StatusStore<Status> = {
      read: (key) => inner.read(key),
      write: () => {
        writes++;
        return Promise.reject(new AppError('K8S_FORBIDDEN', 'no'));
      },
    };
    const writer = new ConflictRetryingStatusWriter(failing);
    await expect(writer.update('m', (s) => ({ ...s, ready: 2 }), {})).rejects.toMatchObject({
      code: 'K8S_FORBIDDEN',
    });
    expect(writes).toBe(1);
    expect(await writer.update('m', () => undefined, {})).toEqual({ ready: 1, phase: 'Ready' });
    expect(writes).toBe(1);
    expect(await writer.update('gone', (s) => s, {})).toBeUndefined();
  });

  it('stops when its signal is aborted', async () => {
    const inner = new InMemoryStatusStore<Status>();
    inner.put('m', { ready: 1, phase: 'Ready' });
    const writer = new ConflictRetryingStatusWriter(inner);
    const abort = new AbortController();
    abort.abort(new Error('stopping'));
    await expect(writer.update('m', (s) => s, { signal: abort.signal })).rejects.toThrow(
      'stopping',
    );
  });
});

describe('InMemoryStatusStore', () => {
  it('conflicts on a stale version and is bounded', async () => {
    const store = new InMemoryStatusStore<number>(1);
    expect(store.put('a', 1)).toBe(true);
    expect(store.put('b', 1)).toBe(false);
    const read = (await store.read('a'))!;
    await store.write('a', 2, read.version);
    await expect(store.write('a', 3, read.version)).rejects.toMatchObject({ code: 'K8S_CONFLICT' });
    expect(store.get('a')).toBe(2);
  });
});
