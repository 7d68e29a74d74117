import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import os from 'node:os';

/**
 * Writes a benchmark result as pretty JSON, stamped with when and where it ran and the command
 * that reproduces it. Returns the path written.
 */
export async function writeBenchResult(
  path: string,
  command: string,
  result: unknown,
): Promise<string> {
  await mkdir(dirname(path), { recursive: true });
  const record = {
    command,
    at: new Date().toISOString(),
    machine: {
      cpus: os.cpus().length,
      cpuModel: os.cpus()[0]?.model ?? 'unknown',
      node: process.version,
    },
    result,
  };
  await writeFile(path, `${JSON.stringify(record, null, 2)}\n`);
  return path;
}
