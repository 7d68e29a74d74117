import { mkdir, mkdtemp, realpath, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseArtifactUri, type ArtifactFile } from '../../../src/weights/index.js';
import { createArtifactSource } from '../../../src/weights/adapters/index.js';
import { safetensorsBytes, writeSafetensorsFile } from '../../helpers/safetensors-file.js';
import { codeOf, readAll } from './read-all.js';

describe('FileArtifactSource on real files', () => {
  let temp: string;
  let root: string;
  let outside: string;
  const signal = new AbortController().signal;
  const sourceFor = (path: string) =>
    createArtifactSource(parseArtifactUri(`file://${path}`), {
      hosts: { allowedHosts: [] },
      file: { roots: [root] },
    });

  beforeEach(async () => {
    temp = await realpath(await mkdtemp(join(tmpdir(), 'infernode-file-source-')));
    root = join(temp, 'models');
    outside = join(temp, 'outside');
    await mkdir(join(root, 'llama', 'tokenizer'), { recursive: true });
    await mkdir(outside);
    await writeSafetensorsFile(join(root, 'llama', 'model.safetensors'), {
      totalBytes: 100_000,
      seed: 5,
    });
    await writeFile(join(root, 'llama', 'config.json'), '{}');
    await writeFile(join(root, 'llama', 'tokenizer', 'tokenizer.json'), '{"v":1}');
    await writeFile(join(outside, 'secret'), 'do not read');
  });
  afterEach(async () => {
    await rm(temp, { recursive: true, force: true });
  });

  it('lists a directory recursively with sizes and size+mtime ETags', async () => {
    const listing = await sourceFor(join(root, 'llama')).list(signal);
    expect(listing.files.map((f) => [f.path, f.size])).toEqual([
      ['config.json', 2],
      ['model.safetensors', 100_000],
      ['tokenizer/tokenizer.json', 7],
    ]);
    expect(listing.files.every((f) => typeof f.etag === 'string')).toBe(true);
  });

  it('reads exact ranges, and a single-file URI', async () => {
    const expected = safetensorsBytes({ totalBytes: 100_000, seed: 5 });
    const source = sourceFor(join(root, 'llama', 'model.safetensors'));
    const [file] = (await source.list(signal)).files as [ArtifactFile];
    expect(file.path).toBe('model.safetensors');
    for (const [start, end] of [
      [0, 10],
      [40_000, 60_001],
      [99_999, 100_000],
    ] as const) {
      const bytes = await readAll(await source.readRange(file, { start, end }, signal));
      expect(bytes.equals(expected.subarray(start, end))).toBe(true);
    }
  });

  it('refuses a file rewritten after listing as WEIGHTS_SOURCE_CHANGED', async () => {
    const source = sourceFor(join(root, 'llama'));
    const file = (await source.list(signal)).files.find(
      (f) => f.path === 'config.json',
    ) as ArtifactFile;
    await writeFile(join(root, 'llama', 'config.json'), '{}');
    await utimes(join(root, 'llama', 'config.json'), new Date(), new Date(Date.now() + 5_000));
    expect(await codeOf(source.readRange(file, { start: 0, end: 2 }, signal))).toBe(
      'WEIGHTS_SOURCE_CHANGED',
    );
  });

  it('refuses a path outside the roots and a symlink out of the root', async () => {
    expect(await codeOf(sourceFor(outside).list(signal))).toBe('WEIGHTS_PATH_ESCAPE');
    await symlink(join(outside, 'secret'), join(root, 'llama', 'leak.json'));
    expect(await codeOf(sourceFor(join(root, 'llama')).list(signal))).toBe('WEIGHTS_PATH_ESCAPE');
    await symlink(outside, join(root, 'escape'));
    expect(await codeOf(sourceFor(join(root, 'escape')).list(signal))).toBe('WEIGHTS_PATH_ESCAPE');
  });

  it('refuses a file swapped for a symlink out of the root after listing', async () => {
    const source = sourceFor(join(root, 'llama'));
    const file = (await source.list(signal)).files.find(
      (f) => f.path === 'config.json',
    ) as ArtifactFile;
    await rm(join(root, 'llama', 'config.json'));
    await symlink(join(outside, 'secret'), join(root, 'llama', 'config.json'));
    expect(await codeOf(source.readRange(file, { start: 0, end: 2 }, signal))).toBe(
      'WEIGHTS_PATH_ESCAPE',
    );
  });

  it('answers WEIGHTS_NOT_FOUND for a missing path and refuses file:// with no roots', async () => {
    expect(await codeOf(sourceFor(join(root, 'nothing')).list(signal))).toBe('WEIGHTS_NOT_FOUND');
    const rootless = createArtifactSource(parseArtifactUri(`file://${root}/llama`), {
      hosts: { allowedHosts: [] },
    });
    expect(await codeOf(rootless.list(signal))).toBe('WEIGHTS_PATH_ESCAPE');
  });
});
