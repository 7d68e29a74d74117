/**
 * The ranged parallel streamer against an in-memory source with faults injected in the body
 * iterable, into real files in a temp dir: what is published is byte-exact and verified, what
 * fails leaves nothing half-published, and the concurrency bound holds.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hasCode } from '../../../src/shared/index.js';
import { partCount } from '../../../src/weights/index.js';
import { streamArtifact } from '../../../src/weights/adapters/index.js';
import { FakeArtifactSource } from './fake-artifact-source.js';
import { PART, filesUnder, modelSource, pull, settings, tempDir } from './streamer-harness.js';

let dir: string;
let cleanup: () => Promise<void>;
beforeEach(async () => ({ dir, cleanup } = await tempDir()));
afterEach(() => cleanup());

const code = (c: Parameters<typeof hasCode>[1]) => (e: unknown) => hasCode(e, c);

async function expectPublished(source: FakeArtifactSource): Promise<void> {
  const { files } = await source.list();
  expect(await filesUnder(dir)).toEqual(files.map((f) => f.path).sort());
  for (const f of files)
    expect(Buffer.compare(await readFile(join(dir, f.path)), source.bytesOf(f.path))).toBe(0);
}

function totalParts(source: FakeArtifactSource, paths: readonly string[]): number {
  return paths.reduce((n, p) => n + partCount(source.bytesOf(p).length, PART), 0);
}

describe('streamArtifact', () => {
  it('publishes every file byte-exact, verified, with no partial or journal left', async () => {
    const source = modelSource();
    let counted = 0;
    const stream = await pull(source, dir, {}, undefined, (n) => (counted += n));
    await stream.done;
    await expectPublished(source);
    expect(counted).toBe(stream.progress().totalBytes);
    const { files } = await source.list();
    expect(source.calls).toHaveLength(
      totalParts(
        source,
        files.map((f) => f.path),
      ),
    );
    const progress = stream.progress();
    expect(progress.bytesDone).toBe(progress.totalBytes);
    expect(progress.files.every((f) => f.state === 'done' && f.bytesDone === f.size)).toBe(true);
    expect(progress.partsInFlight).toBe(0);
  });

  it('keeps at most `concurrency` parts in flight across files', async () => {
    const source = modelSource();
    await (
      await pull(source, dir, { concurrency: 3 })
    ).done;
    expect(source.maxConcurrent).toBeLessThanOrEqual(3);
    expect(source.maxConcurrent).toBeGreaterThan(1);
    await expectPublished(source);
  });

  it.each([
    { fault: { kind: 'reset', afterBytes: 5000 } as const },
    { fault: { kind: 'http-500' } as const },
    { fault: { kind: 'truncate', afterBytes: 3000 } as const },
  ])('retries a part after a $fault.kind and publishes exact bytes', async ({ fault }) => {
    const source = modelSource();
    // Two faults, each on a part long enough for it to fire (a part shorter than afterBytes is
    // served whole); which parts those are depends on the order parts go out, so pick as they come.
    let faulted = 0;
    source.fault = (call) => {
      const after = ('afterBytes' in fault ? fault.afterBytes : undefined) ?? 0;
      const long = call.range.end - call.range.start > after;
      if (!long || faulted >= 2) return undefined;
      faulted++;
      return fault;
    };
    await (
      await pull(source, dir)
    ).done;
    await expectPublished(source);
    expect(faulted).toBe(2);
    const { files } = await source.list();
    expect(source.calls).toHaveLength(
      totalParts(
        source,
        files.map((f) => f.path),
      ) + 2,
    );
  });

  it('retries only the rest of a part after a reset mid-part', async () => {
    const source = new FakeArtifactSource();
    source.put('w.bin', Buffer.alloc(PART * 2, 7));
    source.fault = (_, n) => (n === 0 ? { kind: 'reset', afterBytes: 5000 } : undefined);
    await (
      await pull(source, dir, { concurrency: 1 })
    ).done;
    expect(source.calls.map((c) => c.range)).toEqual([
      { start: 0, end: PART },
      { start: 5000, end: PART },
      { start: PART, end: 2 * PART },
    ]);
    await expectPublished(source);
  });

  it('cuts a stalled part after its idle timeout and retries it', async () => {
    const source = modelSource();
    source.fault = (_, n) => (n === 2 ? { kind: 'stall', afterBytes: 2000 } : undefined);
    await (
      await pull(source, dir, { partIdleTimeoutMs: 300 })
    ).done;
    await expectPublished(source);
    const stalled = source.calls[2]!;
    expect(
      source.calls.filter((c) => c.path === stalled.path && c.range.end === stalled.range.end)
        .length,
    ).toBe(2);
  });

  it('fails with WEIGHTS_SOURCE_TIMEOUT once a part stalls on every attempt', async () => {
    const source = modelSource();
    source.fault = (c) => (c.path === 'config.json' ? { kind: 'stall', afterBytes: 0 } : undefined);
    const stream = await pull(source, dir, {
      partIdleTimeoutMs: 100,
      retry: { attempts: 2, initialMs: 1, maxMs: 2 },
    });
    await expect(stream.done).rejects.toSatisfy(code('WEIGHTS_SOURCE_TIMEOUT'));
    expect(await filesUnder(dir)).not.toContain('config.json');
  });

  it('fails with WEIGHTS_SOURCE_FAILED after the last attempt and keeps the journaled partials', async () => {
    const source = modelSource();
    source.fault = (c) => (c.path === 'config.json' ? { kind: 'http-500' } : undefined);
    const stream = await pull(source, dir, { retry: { attempts: 3, initialMs: 1, maxMs: 2 } });
    await expect(stream.done).rejects.toSatisfy(code('WEIGHTS_SOURCE_FAILED'));
    expect(source.calls.filter((c) => c.path === 'config.json')).toHaveLength(3);
    const left = await filesUnder(dir);
    expect(left).toContain('config.json.partial');
    expect(left).not.toContain('config.json');
    expect(stream.progress().files.find((f) => f.path === 'config.json')?.state).toBe('failed');
  });

  it('restarts a file whose object changed, from a fresh listing, and publishes the new version', async () => {
    const source = modelSource();
    const path = 'tokenizer/vocab.bin';
    let changed = false;
    source.fault = (c) => {
      if (c.path !== path || changed || c.range.start !== PART) return undefined;
      changed = true;
      return { kind: 'change' };
    };
    const before = Buffer.from(source.bytesOf(path));
    await (
      await pull(source, dir)
    ).done;
    expect(changed).toBe(true);
    expect(source.listCalls).toBe(2);
    const published = await readFile(join(dir, path));
    expect(Buffer.compare(published, before)).not.toBe(0);
    await expectPublished(source);
  });

  it('fails with WEIGHTS_SOURCE_CHANGED when the object keeps changing', async () => {
    const source = modelSource();
    const path = 'tokenizer/vocab.bin';
    source.fault = (c) =>
      c.path === path && c.range.start === PART ? { kind: 'change' } : undefined;
    const stream = await pull(source, dir);
    await expect(stream.done).rejects.toSatisfy(code('WEIGHTS_SOURCE_CHANGED'));
    expect(await filesUnder(dir)).not.toContain(path);
  });

  it('does not publish a safetensors file with a corrupt header', async () => {
    const source = modelSource();
    const path = 'model-00002-of-00002.safetensors';
    const bad = Buffer.from(source.bytesOf(path));
    bad.writeBigUInt64LE(BigInt(bad.length), 0);
    source.put(path, bad);
    const stream = await pull(source, dir);
    await expect(stream.done).rejects.toSatisfy(
      (e: unknown) =>
        hasCode(e, 'WEIGHTS_CORRUPT_SAFETENSORS') && (e as Error).message.includes('header length'),
    );
    const left = await filesUnder(dir);
    expect(left.filter((f) => f.startsWith(path))).toEqual([]);
  });

  it('does not publish a file whose sha256 differs from the listing', async () => {
    const source = modelSource();
    const path = 'tokenizer/vocab.bin';
    const listing = await source.list();
    const stream = streamArtifact({
      source,
      listing: {
        ...listing,
        files: listing.files.map((f) => (f.path === path ? { ...f, sha256: '0'.repeat(64) } : f)),
      },
      stagingDir: dir,
      settings: settings(),
      signal: new AbortController().signal,
    });
    await expect(stream.done).rejects.toSatisfy(code('WEIGHTS_INTEGRITY'));
    expect((await filesUnder(dir)).filter((f) => f.startsWith(path))).toEqual([]);
  });

  it('refuses a listed path that escapes the staging directory, writing nothing', async () => {
    const source = modelSource();
    source.put('../escape.bin', new Uint8Array(10));
    const stream = await pull(source, dir);
    await expect(stream.done).rejects.toSatisfy(code('WEIGHTS_PATH_ESCAPE'));
    expect(await filesUnder(dir)).toEqual([]);
    expect(source.calls).toHaveLength(0);
  });

  it('refuses a listing where one file would overwrite the partial of another', async () => {
    const source = modelSource();
    source.put('config.json.partial', new Uint8Array(10));
    const stream = await pull(source, dir);
    await expect(stream.done).rejects.toSatisfy(
      (e: unknown) =>
        hasCode(e, 'WEIGHTS_PATH_ESCAPE') && (e as Error).message.includes('collides'),
    );
    expect(source.calls).toHaveLength(0);
  });
});
