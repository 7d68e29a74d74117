/** Shared set-up for the streamer's integration tests: a temp staging dir, settings, a pull. */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { SeededRng } from '../../../src/shared/index.js';
import { streamArtifact } from '../../../src/weights/adapters/index.js';
import type { ArtifactStream, StreamerSettings } from '../../../src/weights/index.js';
import { buildSafetensors } from '../../unit/weights/build-safetensors.js';
import { FakeArtifactSource } from './fake-artifact-source.js';

export const PART = 16 * 1024;

export function settings(overrides: Partial<StreamerSettings> = {}): StreamerSettings {
  return {
    partBytes: PART,
    concurrency: 4,
    retry: { attempts: 4, initialMs: 1, maxMs: 5 },
    partIdleTimeoutMs: 10_000,
    ...overrides,
  };
}

export async function tempDir(): Promise<{ dir: string; cleanup: () => Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'infernode-streamer-'));
  return { dir, cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/** Every file under `dir`, relative, sorted. */
export async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort();
}

/** A source holding a small model: two shards, a config, an empty file and a nested file. */
export function modelSource(): FakeArtifactSource {
  const source = new FakeArtifactSource();
  source.put(
    'model-00001-of-00002.safetensors',
    buildSafetensors([
      { name: 'embed', dtype: 'F16', shape: [64, 300] },
      { name: 'norm', dtype: 'F32', shape: [300] },
    ]),
    { sha256: true },
  );
  source.put(
    'model-00002-of-00002.safetensors',
    buildSafetensors([{ name: 'lm_head', dtype: 'BF16', shape: [40, 256] }], 7),
  );
  source.put('config.json', Buffer.from(JSON.stringify({ hidden_size: 300 })));
  source.put('empty.txt', new Uint8Array(0));
  source.put('tokenizer/vocab.bin', randomBytes(40_000), { sha256: true });
  return source;
}

/** Starts a pull of everything `source` lists into `dir`. */
export async function pull(
  source: FakeArtifactSource,
  dir: string,
  overrides: Partial<StreamerSettings> = {},
  signal = new AbortController().signal,
  onBytes?: (bytes: number) => void,
): Promise<ArtifactStream> {
  const listing = await source.list();
  return streamArtifact({
    source,
    listing,
    stagingDir: dir,
    settings: settings(overrides),
    signal,
    rng: new SeededRng(7),
    ...(onBytes ? { onBytes } : {}),
  });
}

/** All bytes of an async iterable. */
export async function collect(body: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const chunk of body) parts.push(chunk);
  return Buffer.concat(parts);
}
