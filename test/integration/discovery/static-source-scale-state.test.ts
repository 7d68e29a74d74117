/**
 * The static discovery source follows the scale state file next to the cluster file: a new
 * desired count adds or removes the group's replicas (newest first) without the cluster file
 * changing, each agent sees only its node's replicas, and a bad state file keeps the last view.
 */
import { rm, writeFile } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import {
  StaticClusterSource,
  scaleStatePath,
  writeScaleState,
} from '../../../src/discovery/adapters/index.js';
import type { ClusterView } from '../../../src/discovery/index.js';
import { pino } from 'pino';
import { silentLogger, type Logger } from '../../../src/shared/index.js';
import { writeScaleGroupFile } from '../../helpers/scale-group-files.js';
import { waitFor } from '../../helpers/wait-for.js';

/** Endpoint ids, `<node>/<replica>`. */
const names = (view: ClusterView): string[] => view.endpoints.map((e) => e.id).sort();

let dir: string | undefined;
const stops: AbortController[] = [];
afterEach(async () => {
  for (const s of stops.splice(0)) s.abort();
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

function runSource(path: string, node?: string, log: Logger = silentLogger()): StaticClusterSource {
  const source = new StaticClusterSource({
    path,
    log,
    pollIntervalMs: 20,
    ...(node === undefined ? {} : { node }),
  });
  const stop = new AbortController();
  stops.push(stop);
  source.run(stop.signal).catch(() => undefined);
  return source;
}

describe('StaticClusterSource with scale groups', () => {
  it("starts at the group's replicas and follows the state file up and down", async () => {
    const file = await writeScaleGroupFile({ replicas: 1, maxReplicas: 4 });
    dir = file.dir;
    const leader = runSource(file.path);
    const nodeB = runSource(file.path, 'node-b');
    await leader.synced;
    await nodeB.synced;
    expect(names(leader.current())).toEqual(['node-a/pool-0']);
    expect(leader.current().endpoints[0]).toMatchObject({
      node: 'node-a',
      url: `http://127.0.0.1:${file.basePort}`,
      model: 'test-model',
    });
    expect(names(nodeB.current())).toEqual([]);

    const changes: string[][] = [];
    leader.onChange((view) => changes.push(names(view)));
    await writeScaleState(scaleStatePath(file.path), new Map([['pool', 3]]));
    await waitFor(() => names(leader.current()).length === 3, 'three replicas', 20_000);
    expect(names(leader.current())).toEqual(['node-a/pool-0', 'node-a/pool-2', 'node-b/pool-1']);
    // Replica i runs on nodes[i % 2] at basePort + i.
    await waitFor(() => names(nodeB.current()).length === 1, 'node-b replica', 20_000);
    expect(nodeB.current().endpoints[0]).toMatchObject({
      node: 'node-b',
      url: `http://127.0.0.1:${file.basePort + 1}`,
    });

    await writeScaleState(scaleStatePath(file.path), new Map([['pool', 2]]));
    await waitFor(() => names(leader.current()).length === 2, 'scaled down', 20_000);
    // The newest replica leaves first.
    expect(names(leader.current())).toEqual(['node-a/pool-0', 'node-b/pool-1']);
    expect(changes.length).toBeGreaterThanOrEqual(2);

    await writeScaleState(scaleStatePath(file.path), new Map([['pool', 0]]));
    await waitFor(() => leader.current().endpoints.length === 0, 'scaled to zero', 20_000);
    // Node B's source polls on its own timer: it follows, but not in the same tick.
    await waitFor(() => names(nodeB.current()).length === 0, 'node-b scaled to zero', 20_000);
  }, 100_000); // five waits of up to 20 s each: the default 30 s ran out first under CI load

  it('keeps the last good view when the state file is not valid, and follows the next good one', async () => {
    const file = await writeScaleGroupFile({ replicas: 2, maxReplicas: 4 });
    dir = file.dir;
    const warnings: string[] = [];
    const log = pino({ level: 'warn' }, { write: (line: string) => void warnings.push(line) });
    const source = runSource(file.path, undefined, log);
    await source.synced;
    expect(names(source.current())).toEqual(['node-a/pool-0', 'node-b/pool-1']);
    const changes: ClusterView[] = [];
    source.onChange((view) => changes.push(view));
    await writeFile(scaleStatePath(file.path), '{"replicas": {"pool": -1}}');
    await waitFor(() => warnings.length > 0, 'the bad state reported', 20_000);
    expect(warnings[0]).toContain('keeping the last good view');
    expect(names(source.current())).toEqual(['node-a/pool-0', 'node-b/pool-1']);
    await writeScaleState(scaleStatePath(file.path), new Map([['pool', 1]]));
    await waitFor(() => names(source.current()).length === 1, 'valid state followed', 20_000);
    expect(changes.every((v) => v.endpoints.length === 1)).toBe(true);
  });
});
