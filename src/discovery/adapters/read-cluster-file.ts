/**
 * Reads and validates the static cluster file. Every failure is one `AppError` whose message
 * names the file and says what is wrong in one line (no stack), because it is what an operator
 * sees when `infernode up`, the leader or an agent cannot start.
 */
import { readFile, stat } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { AppError, ConfigError } from '../../shared/index.js';
import { parseClusterFile, type ClusterFile } from '../cluster-file.js';

/** A parsed cluster file and the modification time it was read at (to notice edits). */
export interface ClusterFileRead {
  readonly file: ClusterFile;
  readonly mtimeMs: number;
}

/** Why a file could not be read, in words, from the Node error code where there is one. */
function readProblem(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EISDIR') return 'is a directory';
  return err instanceof Error ? err.message : String(err);
}

/**
 * Reads, parses and validates the cluster file at `path`. Throws `CONFIG_FILE_UNREADABLE` when
 * the file cannot be read or is not YAML, `CONFIG_INVALID` when it does not validate.
 */
export async function readClusterFile(
  path: string,
  options: { readonly signal?: AbortSignal } = {},
): Promise<ClusterFileRead> {
  let text: string;
  let mtimeMs: number;
  try {
    mtimeMs = (await stat(path)).mtimeMs;
    text = await readFile(path, { encoding: 'utf8', signal: options.signal });
  } catch (err) {
    throw new AppError(
      'CONFIG_FILE_UNREADABLE',
      `cannot read the cluster file ${path}: ${readProblem(err)}`,
      {
        cause: err,
      },
    );
  }
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (err) {
    // The YAML library appends a code frame on later lines; the first line says what and where.
    const first = (err instanceof Error ? err.message : String(err)).split('\n')[0] ?? '';
    throw new AppError(
      'CONFIG_FILE_UNREADABLE',
      `the cluster file ${path} is not valid YAML: ${first}`,
      {
        cause: err,
      },
    );
  }
  try {
    return { file: parseClusterFile(raw), mtimeMs };
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    const issues = err.issues.map((i) => `${i.path === '' ? '(root)' : i.path}: ${i.message}`);
    throw new AppError(
      'CONFIG_INVALID',
      `the cluster file ${path} is invalid: ${issues.join('; ')}`,
      {
        cause: err,
      },
    );
  }
}
