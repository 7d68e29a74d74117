/**
 * `infernode up`'s ScaleGroupFollower with real simulator processes: it starts replicas when the
 * scale state file asks for more, and drains then stops the newest first when it asks for fewer.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  readClusterFile,
  scaleStatePath,
  writeScaleState,
} from '../../src/discovery/adapters/index.js';
import { ChildSupervisor, ScaleGroupFollower, packageRoot } from '../../src/up/index.js';
import { writeScaleGroupFile } from '../helpers/scale-group-files.js';
import { waitFor } from '../helpers/wait-for.js';

const health = async (port: number): Promise<boolean> => {
  try {
    return (await fetch(`http://127.0.0.1:${port}/health`)).status === 200;
  } catch {
    return false;
  }
};

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('ScaleGroupFollower', () => {
  it('starts replicas as the state file asks and stops the newest first', async () => {
    const group = await writeScaleGroupFile({ replicas: 0, maxReplicas: 3 });
    cleanups.push(() => rm(group.dir, { recursive: true, force: true }));
    const { file } = await readClusterFile(group.path);
    const reports: string[] = [];
    const supervisor = new ChildSupervisor({
      cliPath: join(packageRoot(), 'dist', 'cli', 'main.js'),
      logDir: await mkdtemp(join(tmpdir(), 'follower-logs-')),
      report: (line) => reports.push(line),
      stopGraceMs: 5000,
    });
    cleanups.push(() => supervisor.stopAll());
    const follower = new ScaleGroupFollower(
      {
        file,
        clusterPath: group.path,
        supervisor,
        sims: { extraArgs: [], clusterDir: group.dir, objectStore: undefined },
        env: {},
        report: (line) => reports.push(line),
        pollIntervalMs: 50,
        drainDelayMs: 100,
        stopGraceMs: 5000,
      },
      [],
    );
    const following = new AbortController();
    const followed = follower.run(following.signal);
    cleanups.push(async () => {
      following.abort();
      await followed;
    });
    const ports = [0, 1, 2].map((i) => group.basePort + i);
    const state = scaleStatePath(group.path);

    await writeScaleState(state, new Map([['pool', 3]]));
    for (const port of ports) await waitFor(() => health(port), `replica on ${port}`, 60_000);
    expect([...supervisor.pids().keys()].sort()).toEqual([
      'sim-node-a-pool-0',
      'sim-node-a-pool-2',
      'sim-node-b-pool-1',
    ]);

    await writeScaleState(state, new Map([['pool', 1]]));
    await waitFor(() => supervisor.pids().size === 1, 'two replicas stopped', 60_000);
    expect([...supervisor.pids().keys()]).toEqual(['sim-node-a-pool-0']);
    expect(await health(ports[0]!)).toBe(true);
    expect(await health(ports[1]!)).toBe(false);
    const draining = reports.filter((r) => r.startsWith('scale down: draining'));
    expect(draining).toEqual([
      'scale down: draining sim-node-a-pool-2',
      'scale down: draining sim-node-b-pool-1',
    ]);

    // Back up: the stopped replica starts again on its own port.
    await writeScaleState(state, new Map([['pool', 2]]));
    await waitFor(() => health(ports[1]!), 'replica 1 again', 60_000);
    await writeScaleState(state, new Map([['pool', 0]]));
    await waitFor(() => supervisor.pids().size === 0, 'all stopped', 60_000);
  }, 180_000);

  it('reports a bad state file once, keeps the replicas running and follows the next good one', async () => {
    const group = await writeScaleGroupFile({ replicas: 1, maxReplicas: 2 });
    cleanups.push(() => rm(group.dir, { recursive: true, force: true }));
    const { file } = await readClusterFile(group.path);
    const reports: string[] = [];
    const supervisor = new ChildSupervisor({
      cliPath: join(packageRoot(), 'dist', 'cli', 'main.js'),
      logDir: await mkdtemp(join(tmpdir(), 'follower-logs-')),
      report: (line) => reports.push(line),
      stopGraceMs: 5000,
    });
    cleanups.push(() => supervisor.stopAll());
    await writeScaleState(scaleStatePath(group.path), new Map([['pool', 1]]));
    const follower = new ScaleGroupFollower(
      {
        file,
        clusterPath: group.path,
        supervisor,
        sims: { extraArgs: [], clusterDir: group.dir, objectStore: undefined },
        env: {},
        report: (line) => reports.push(line),
        pollIntervalMs: 50,
        drainDelayMs: 100,
      },
      [],
    );
    const following = new AbortController();
    const followed = follower.run(following.signal);
    cleanups.push(async () => {
      following.abort();
      await followed;
    });
    await waitFor(() => health(group.basePort), 'replica 0', 60_000);
    const firstPid = supervisor.pids().get('sim-node-a-pool-0');
    await writeFile(scaleStatePath(group.path), '{"replicas": []}');
    await waitFor(
      () => reports.some((r) => r.startsWith('scale state unreadable, keeping the replicas')),
      'problem reported',
      20_000,
    );
    // The next good state is followed, and the running replica was never touched.
    await writeScaleState(scaleStatePath(group.path), new Map([['pool', 2]]));
    await waitFor(() => health(group.basePort + 1), 'replica 1', 60_000);
    expect(reports.filter((r) => r.startsWith('scale state unreadable'))).toHaveLength(1);
    expect(supervisor.pids().get('sim-node-a-pool-0')).toBe(firstPid);
  }, 120_000);
});
