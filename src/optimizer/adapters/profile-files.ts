/**
 * Reads GPU profiles from a directory: every `*.json` file is one profile, validated on its own,
 * so one broken file is reported (OPTIMIZER_PROFILE_INVALID) while the others still count. A
 * missing or unreadable directory is OPTIMIZER_PROFILE_MISSING. Bounded: at most
 * MAX_PROFILE_FILES files of MAX_PROFILE_FILE_BYTES each, all under one timeout and signal.
 */
import { readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { AppError, linkedSignal, toError } from '../../shared/index.js';
import type { GpuProfile } from '../gpu-profile.js';
import { validateGpuProfile } from '../profile-validation.js';

/** Files read from one directory at most. */
export const MAX_PROFILE_FILES = 256;
/** Largest profile file read, bytes. */
export const MAX_PROFILE_FILE_BYTES = 1024 * 1024;

/** What a directory held. */
export interface LoadedProfiles {
  readonly profiles: GpuProfile[];
  /** One error per file (or for the directory) that could not be used. */
  readonly problems: AppError[];
}

/** Loads every profile under `dir` within `timeoutMs`. */
export async function loadGpuProfiles(
  dir: string,
  timeoutMs: number,
  signal?: AbortSignal,
): Promise<LoadedProfiles> {
  const link = linkedSignal([signal], timeoutMs);
  try {
    let names: string[];
    try {
      names = (await readdir(dir)).filter((n) => n.endsWith('.json')).sort();
    } catch (err) {
      const problem = new AppError(
        'OPTIMIZER_PROFILE_MISSING',
        `GPU profile directory ${dir} cannot be read: ${toError(err).message}`,
        { cause: err },
      );
      return { profiles: [], problems: [problem] };
    }
    const profiles: GpuProfile[] = [];
    const problems: AppError[] = [];
    if (names.length > MAX_PROFILE_FILES)
      problems.push(
        new AppError(
          'OPTIMIZER_PROFILE_INVALID',
          `${dir} holds ${names.length} profiles; only the first ${MAX_PROFILE_FILES} are read`,
        ),
      );
    for (const name of names.slice(0, MAX_PROFILE_FILES)) {
      const path = join(dir, name);
      try {
        const size = (await stat(path)).size;
        if (size > MAX_PROFILE_FILE_BYTES)
          throw new AppError(
            'OPTIMIZER_PROFILE_INVALID',
            `GPU profile ${path} is ${size} bytes (limit ${MAX_PROFILE_FILE_BYTES})`,
          );
        const text = await readFile(path, { encoding: 'utf8', signal: link.signal });
        let parsed: unknown;
        try {
          parsed = JSON.parse(text);
        } catch (err) {
          throw new AppError(
            'OPTIMIZER_PROFILE_INVALID',
            `GPU profile ${path} is not JSON: ${toError(err).message}`,
          );
        }
        profiles.push(validateGpuProfile(parsed, path));
      } catch (err) {
        if (link.signal.aborted && !(err instanceof AppError))
          throw new AppError(
            'OPTIMIZER_PROFILE_MISSING',
            `reading GPU profiles in ${dir} ${link.timedOut ? `took over ${timeoutMs} ms` : 'was cancelled'}`,
            { cause: err },
          );
        problems.push(
          err instanceof AppError
            ? err
            : new AppError(
                'OPTIMIZER_PROFILE_MISSING',
                `GPU profile ${path} cannot be read: ${toError(err).message}`,
                { cause: err },
              ),
        );
      }
    }
    return { profiles, problems };
  } finally {
    link.dispose();
  }
}
