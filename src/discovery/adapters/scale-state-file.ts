/**
 * The scale state file: the desired replicas of the cluster file's scale groups, written by the
 * leader's static ScaleClient (what a Deployment's `spec.replicas` is on Kubernetes) and read by
 * discovery (leader and agents) and by `infernode up`, which starts and stops simulators to match.
 * It lives next to the cluster file as `.<name>.replicas.json`, so every process that is given the
 * cluster file finds it without another setting. Writes are atomic (temporary file + rename): a
 * reader never sees half a file.
 */
import { readFile, rename, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { AppError } from '../../shared/index.js';

/** Where the scale state of `clusterFile` lives. */
export function scaleStatePath(clusterFile: string): string {
  return join(dirname(clusterFile), `.${basename(clusterFile)}.replicas.json`);
}

/** The file's text and the replica counts it holds (empty when there is no file yet). */
export interface ScaleState {
  readonly text: string;
  readonly replicas: ReadonlyMap<string, number>;
}

/**
 * Reads the state file; a missing file is an empty state. Throws CONFIG_INVALID on a file that
 * is not `{"replicas": {"<group>": <count>}}`.
 */
export async function readScaleState(path: string, signal?: AbortSignal): Promise<ScaleState> {
  let text: string;
  try {
    text = await readFile(path, { encoding: 'utf8', ...(signal === undefined ? {} : { signal }) });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { text: '', replicas: new Map() };
    throw new AppError('CONFIG_FILE_UNREADABLE', `cannot read the scale state ${path}`, {
      cause: err,
    });
  }
  return { text, replicas: parseScaleState(text, path) };
}

/** Parses the state file's text (pure). */
export function parseScaleState(text: string, path: string): Map<string, number> {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new AppError('CONFIG_INVALID', `the scale state ${path} is not JSON`, { cause: err });
  }
  const replicas = (raw as { replicas?: unknown } | null)?.replicas;
  if (replicas === null || typeof replicas !== 'object' || Array.isArray(replicas))
    throw new AppError('CONFIG_INVALID', `the scale state ${path} has no "replicas" mapping`);
  const out = new Map<string, number>();
  for (const [group, count] of Object.entries(replicas)) {
    if (!Number.isInteger(count) || (count as number) < 0)
      throw new AppError(
        'CONFIG_INVALID',
        `the scale state ${path}: replicas of ${group} must be a whole number ≥ 0`,
      );
    out.set(group, count as number);
  }
  return out;
}

/** Writes the state atomically (temporary file in the same directory, then rename). */
export async function writeScaleState(
  path: string,
  replicas: ReadonlyMap<string, number>,
  signal?: AbortSignal,
): Promise<void> {
  const text = `${JSON.stringify({ replicas: Object.fromEntries([...replicas].sort()) }, null, 2)}\n`;
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, text, {
    encoding: 'utf8',
    ...(signal === undefined ? {} : { signal }),
  });
  await rename(temporary, path);
}
