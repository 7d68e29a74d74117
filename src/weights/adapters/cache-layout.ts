/**
 * The node cache on disk, under `<nodeCachePath>/weights/`:
 *
 * - `models/<key>/`: published models, plain files under their original relative paths (what
 *   vLLM's default loader reads as a hostPath directory), plus `.infernode-manifest.json`.
 * - `staging/<key>/`: pulls in progress (the streamer's partial files and journals); a pull that
 *   stopped leaves its directory for a later pull of the same URI to resume.
 * - `trash/`: directories on their way out. Eviction renames into it first (one atomic step, so
 *   no half-removed model is ever served) and deletes after; start empties it.
 *
 * The manifest is written into the staging directory before the publishing rename, so a model
 * and its manifest appear together or not at all.
 */
import { mkdir, readFile, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ArtifactFile, ArtifactScheme } from '../index.js';

/** Name of the manifest inside a model's directory (a dotfile: loaders glob `*.safetensors`). */
export const MANIFEST_FILE = '.infernode-manifest.json';

/** What the cache records about one published model. */
export interface ModelManifest {
  readonly version: 1;
  readonly uri: string;
  readonly key: string;
  readonly scheme: ArtifactScheme;
  /** Where an s3:// artifact lives upstream: the read-through endpoint serves it under the same names. */
  readonly s3?: { readonly bucket: string; readonly prefix: string };
  readonly files: readonly ArtifactFile[];
  readonly revision?: string;
  readonly bytes: number;
  readonly publishedAtMs: number;
  readonly lastUsedMs: number;
}

/** The three directories of the cache. */
export interface CacheDirs {
  readonly models: string;
  readonly staging: string;
  readonly trash: string;
}

/** The cache's directories under `nodeCachePath`, created if missing; `trash/` emptied. */
export async function prepareCacheDirs(nodeCachePath: string): Promise<CacheDirs> {
  const base = join(nodeCachePath, 'weights');
  const dirs = {
    models: join(base, 'models'),
    staging: join(base, 'staging'),
    trash: join(base, 'trash'),
  };
  await rm(dirs.trash, { recursive: true, force: true });
  for (const dir of Object.values(dirs)) await mkdir(dir, { recursive: true });
  return dirs;
}

/** Names of the sub-directories of `dir` (files and links are ignored: we made none). */
export async function subdirectories(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  return entries.filter((e) => e.isDirectory()).map((e) => e.name);
}

/** Bytes of the regular files under `dir`, recursively; symbolic links are not followed. */
export async function directoryBytes(dir: string): Promise<number> {
  let total = 0;
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return 0;
  }
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) total += await directoryBytes(path);
    else if (entry.isFile()) total += (await stat(path)).size;
  }
  return total;
}

/** Last modification of `dir`, ms (the best guess of "last used" for a stray staging dir). */
export async function modifiedMs(dir: string): Promise<number> {
  return (await stat(dir)).mtimeMs;
}

let tmpCounter = 0;

/** Writes `manifest` into `dir` atomically (temporary file, then rename over the old one). */
export async function writeManifest(dir: string, manifest: ModelManifest): Promise<void> {
  const tmp = join(dir, `${MANIFEST_FILE}.${process.pid}.${++tmpCounter}.tmp`);
  await writeFile(tmp, `${JSON.stringify(manifest, null, 2)}\n`);
  await rename(tmp, join(dir, MANIFEST_FILE));
}

/** The manifest in `dir`, or undefined when it is missing or not one we wrote. */
export async function readManifest(dir: string): Promise<ModelManifest | undefined> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(join(dir, MANIFEST_FILE), 'utf8'));
  } catch {
    return undefined;
  }
  return isManifest(parsed) ? parsed : undefined;
}

function isManifest(value: unknown): value is ModelManifest {
  if (value === null || typeof value !== 'object') return false;
  const m = value as Record<string, unknown>;
  return (
    m.version === 1 &&
    typeof m.uri === 'string' &&
    typeof m.key === 'string' &&
    typeof m.scheme === 'string' &&
    typeof m.bytes === 'number' &&
    typeof m.publishedAtMs === 'number' &&
    typeof m.lastUsedMs === 'number' &&
    Array.isArray(m.files) &&
    m.files.every(
      (f: unknown) =>
        f !== null &&
        typeof f === 'object' &&
        typeof (f as ArtifactFile).path === 'string' &&
        typeof (f as ArtifactFile).size === 'number',
    )
  );
}

let trashCounter = 0;

/**
 * Removes `dir`: first renamed into `trash` (atomic, so the name is free at once and no reader
 * meets a half-deleted model), then deleted. A missing `dir` is not an error.
 */
export async function removeDirectory(dirs: CacheDirs, dir: string): Promise<void> {
  const doomed = join(dirs.trash, `${Date.now()}-${process.pid}-${++trashCounter}`);
  try {
    await rename(dir, doomed);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  await rm(doomed, { recursive: true, force: true });
}
