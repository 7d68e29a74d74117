/**
 * The static discovery source reads its files only when they changed: a check is two stats, an
 * unchanged pair is never re-read, and an atomic write (temporary file + rename) is seen both by
 * the poll and by the directory watch, also twice in a row (the watch survives the inode swap).
 */
import { rm } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import {
  StaticClusterSource,
  scaleStatePath,
  writeScaleState,
  type StaticClusterSourceOptions,
} from '../../../src/discovery/adapters/index.js';
import { silentLogger } from '../../../src/shared/index.js';
import { writeScaleGroupFile } from '../../helpers/scale-group-files.js';
import { waitFor } from '../../helpers/wait-for.js';

let dir: string | undefined;
const stops: AbortController[] = [];
afterEach(async () => {
  for (const s of stops.splice(0)) s.abort();
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

function runSource(options: Omit<StaticClusterSourceOptions, 'log'>): StaticClusterSource {
  const source = new StaticClusterSource({ log: silentLogger(), ...options });
  const stop = new AbortController();
  stops.push(stop);
  source.run(stop.signal).catch(() => undefined);
  return source;
}

describe('StaticClusterSource change checks', () => {
  it('polls with stats only while the files are unchanged, and reads an atomic rename', async () => {
    const file = await writeScaleGroupFile({ replicas: 1, maxReplicas: 4 });
    dir = file.dir;
    const source = runSource({ path: file.path, watch: false, pollIntervalMs: 10 });
    await source.synced;
    await waitFor(() => source.checks >= 10, 'ten change checks', 20_000);
    expect(source.reads).toBe(1);

    await writeScaleState(scaleStatePath(file.path), new Map([['pool', 2]]));
    await waitFor(() => source.current().endpoints.length === 2, 'the renamed state', 20_000);
    const readsAfterChange = source.reads;
    expect(readsAfterChange).toBe(2);
    const checksAfterChange = source.checks;
    await waitFor(() => source.checks >= checksAfterChange + 10, 'ten more checks', 20_000);
    expect(source.reads).toBe(readsAfterChange);

    // Same size and (possibly) the same mtime tick: the new inode still tells it apart.
    await writeScaleState(scaleStatePath(file.path), new Map([['pool', 3]]));
    await waitFor(() => source.current().endpoints.length === 3, 'the second rename', 20_000);
  });

  it('follows atomic renames through the directory watch when the poll is slow', async () => {
    const file = await writeScaleGroupFile({ replicas: 1, maxReplicas: 4 });
    dir = file.dir;
    // A poll this slow never runs within the test: only the watch can notice the renames.
    const source = runSource({ path: file.path, watchedPollIntervalMs: 600_000 });
    await source.synced;
    for (const replicas of [2, 3, 1]) {
      await writeScaleState(scaleStatePath(file.path), new Map([['pool', replicas]]));
      await waitFor(
        () => source.current().endpoints.length === replicas,
        `${replicas} replicas through the watch`,
        20_000,
      );
    }
    expect(source.reads).toBe(4);
  });
});
