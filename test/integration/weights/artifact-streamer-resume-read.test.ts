/**
 * The streamer's resume and read paths: an aborted pull keeps its partials and journals and a
 * later pull fetches only the missing parts; `read` serves exact bytes of a range before, during
 * and after its parts are fetched, and the parts it needs jump the sequential queue.
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hasCode } from '../../../src/shared/index.js';
import { waitFor } from '../../helpers/wait-for.js';
import { FakeArtifactSource } from './fake-artifact-source.js';
import { PART, collect, filesUnder, pull, tempDir } from './streamer-harness.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ dir, cleanup } = await tempDir()));
afterEach(() => cleanup());

const code = (c: Parameters<typeof hasCode>[1]) => (e: unknown) => hasCode(e, c);
const never = new AbortController().signal;

function bigSource(bytes: Uint8Array): FakeArtifactSource {
  const source = new FakeArtifactSource();
  source.put('big.bin', bytes);
  return source;
}

describe('streamArtifact resume', () => {
  it('after an abort, a later pull fetches only the missing parts', async () => {
    const bytes = randomBytes(PART * 10 + 123);
    const first = bigSource(bytes);
    first.fault = (_, n) => (n === 4 ? { kind: 'hold' } : undefined);
    const stop = new AbortController();
    const aborted = await pull(first, dir, { concurrency: 1 }, stop.signal);
    await waitFor(() => first.heldCount === 1, 'the fifth part to be held');
    stop.abort();
    await expect(aborted.done).rejects.toSatisfy(code('WEIGHTS_ABORTED'));
    expect(await filesUnder(dir)).toEqual(['big.bin.partial', 'big.bin.parts']);
    const completed = first.calls.filter((c) => c.completed).map((c) => c.range.start);
    expect(completed).toEqual([0, PART, 2 * PART, 3 * PART]);

    const second = bigSource(bytes);
    await (
      await pull(second, dir)
    ).done;
    const fetched = second.calls.map((c) => c.range.start).sort((a, b) => a - b);
    expect(fetched).toEqual([4, 5, 6, 7, 8, 9, 10].map((i) => i * PART));
    expect(Buffer.compare(await readFile(join(dir, 'big.bin')), bytes)).toBe(0);
    expect(await filesUnder(dir)).toEqual(['big.bin']);
  });

  it('a journal for another version of the object is discarded: the file starts over', async () => {
    const bytes = randomBytes(PART * 4);
    const first = bigSource(bytes);
    first.fault = (_, n) => (n === 2 ? { kind: 'hold' } : undefined);
    const stop = new AbortController();
    const aborted = await pull(first, dir, { concurrency: 1 }, stop.signal);
    await waitFor(() => first.heldCount === 1, 'the third part to be held');
    stop.abort();
    await expect(aborted.done).rejects.toSatisfy(code('WEIGHTS_ABORTED'));

    const changed = bigSource(randomBytes(PART * 4));
    const replacement = randomBytes(PART * 4);
    changed.put('big.bin', replacement); // a second version: another ETag
    await (
      await pull(changed, dir)
    ).done;
    expect(changed.calls).toHaveLength(4);
    expect(Buffer.compare(await readFile(join(dir, 'big.bin')), replacement)).toBe(0);
  });

  it('a file already published in the staging dir is not fetched again', async () => {
    const bytes = randomBytes(PART * 3);
    await (
      await pull(bigSource(bytes), dir)
    ).done;
    const again = bigSource(bytes);
    const stream = await pull(again, dir);
    await stream.done;
    expect(again.calls).toHaveLength(0);
    expect(stream.progress().files[0]).toMatchObject({ state: 'done', bytesDone: bytes.length });
  });
});

describe('ArtifactStream.read', () => {
  it('serves a range before, during and after its fetch, and its parts jump the queue', async () => {
    const bytes = randomBytes(PART * 8 + 100);
    const source = bigSource(bytes);
    source.fault = (_, n) => (n === 0 ? { kind: 'hold' } : undefined);
    const stream = await pull(source, dir, { concurrency: 1 });
    await waitFor(() => source.heldCount === 1, 'the first part to be held');
    expect(stream.progress()).toMatchObject({ partsInFlight: 1, bytesDone: 0 });

    const ahead = { start: PART * 6 + 10, end: PART * 7 + 50 };
    const before = stream.read('big.bin', ahead, never).then(collect);
    const during = stream.read('big.bin', { start: 100, end: 5000 }, never).then(collect);
    source.releaseHeld();
    expect(Buffer.compare(await before, bytes.subarray(ahead.start, ahead.end))).toBe(0);
    expect(Buffer.compare(await during, bytes.subarray(100, 5000))).toBe(0);
    await stream.done;
    // Part 0 was in flight; the parts holding the range came next, ahead of parts 1..5.
    expect(source.calls.map((c) => c.range.start / PART)).toEqual([0, 6, 7, 1, 2, 3, 4, 5, 8]);
    const after = await collect(
      await stream.read('big.bin', { start: 0, end: bytes.length }, never),
    );
    expect(Buffer.compare(after, bytes)).toBe(0);
    expect(await collect(await stream.read('big.bin', { start: 5, end: 5 }, never))).toHaveLength(
      0,
    );
  });

  it('a read issued as the pull starts is fetched first', async () => {
    const bytes = randomBytes(PART * 6);
    const source = bigSource(bytes);
    const stream = await pull(source, dir, { concurrency: 1 });
    const range = { start: PART * 5 + 1, end: PART * 5 + 2 };
    const got = await collect(await stream.read('big.bin', range, never));
    expect([...got]).toEqual([bytes[PART * 5 + 1]]);
    expect(source.calls[0]?.range.start).toBe(PART * 5);
    await stream.done;
  });

  it('rejects an unknown file, a range outside the file, an aborted reader and a failed pull', async () => {
    const bytes = randomBytes(PART * 4);
    const source = bigSource(bytes);
    source.fault = (_, n) => (n === 0 ? { kind: 'hold' } : { kind: 'http-500' });
    const stream = await pull(source, dir, {
      concurrency: 1,
      retry: { attempts: 2, initialMs: 1, maxMs: 2 },
    });
    await expect(stream.read('nope.bin', { start: 0, end: 1 }, never)).rejects.toSatisfy(
      code('WEIGHTS_NOT_FOUND'),
    );
    await expect(
      stream.read('big.bin', { start: 0, end: bytes.length + 1 }, never),
    ).rejects.toThrow(RangeError);
    await waitFor(() => source.heldCount === 1, 'the first part to be held');
    const reader = new AbortController();
    const cancelled = stream.read('big.bin', { start: 0, end: 10 }, reader.signal);
    reader.abort();
    await expect(cancelled).rejects.toSatisfy(code('WEIGHTS_ABORTED'));
    const waiting = stream.read('big.bin', { start: PART * 3, end: PART * 3 + 1 }, never);
    source.releaseHeld();
    await expect(waiting).rejects.toSatisfy(code('WEIGHTS_SOURCE_FAILED'));
    await expect(stream.done).rejects.toSatisfy(code('WEIGHTS_SOURCE_FAILED'));
  });
});
