/**
 * The static mode's ScaleClient on real files: it writes the scale state file next to the
 * cluster file, reads it back, resolves ScaleGroup and Deployment targets by name, and refuses
 * counts above the group's maxReplicas or for a group the file does not have.
 */
import { readFile, rm } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { INFERNODE_GROUP, INFERNODE_VERSION } from '../../../src/discovery/index.js';
import { scaleStatePath } from '../../../src/discovery/adapters/index.js';
import type { ScaleTarget } from '../../../src/kube/index.js';
import { StaticScaleClient } from '../../../src/leader/adapters/index.js';
import { writeScaleGroupFile } from '../../helpers/scale-group-files.js';

const target = (plural: string, name = 'pool'): ScaleTarget => ({
  group: plural === 'deployments' ? 'apps' : INFERNODE_GROUP,
  version: plural === 'deployments' ? 'v1' : INFERNODE_VERSION,
  plural,
  namespace: 'default',
  name,
});
const call = { signal: AbortSignal.timeout(10_000) };

let dir: string | undefined;
afterEach(async () => {
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

describe('StaticScaleClient', () => {
  it("reads the group's replicas from the file until a state is written, then the state", async () => {
    const file = await writeScaleGroupFile({ replicas: 2, maxReplicas: 4 });
    dir = file.dir;
    const client = new StaticScaleClient({ clusterFile: file.path });
    const before = await client.getScale(target('scalegroups'), call);
    expect(before).toEqual({
      replicas: 2,
      statusReplicas: 2,
      selector: 'infernode.io/scale-group=pool',
    });

    await client.setReplicas(target('scalegroups'), 3, call);
    const written = JSON.parse(await readFile(scaleStatePath(file.path), 'utf8')) as unknown;
    expect(written).toEqual({ replicas: { pool: 3 } });
    expect((await client.getScale(target('scalegroups'), call)).replicas).toBe(3);
    // A Deployment target names the same group, as it would on Kubernetes.
    expect((await client.getScale(target('deployments'), call)).replicas).toBe(3);
    await client.setReplicas(target('deployments'), 0, call);
    expect((await client.getScale(target('scalegroups'), call)).replicas).toBe(0);
  });

  it('reports ready replicas from the given status source', async () => {
    const file = await writeScaleGroupFile({ replicas: 3, maxReplicas: 4 });
    dir = file.dir;
    const client = new StaticScaleClient({
      clusterFile: file.path,
      readyReplicas: (group) => (group === 'pool' ? 1 : 0),
    });
    expect(await client.getScale(target('scalegroups'), call)).toMatchObject({
      replicas: 3,
      statusReplicas: 1,
    });
  });

  it('refuses a count above maxReplicas or below zero and keeps the state as it was', async () => {
    const file = await writeScaleGroupFile({ replicas: 1, maxReplicas: 2 });
    dir = file.dir;
    const client = new StaticScaleClient({ clusterFile: file.path });
    await client.setReplicas(target('scalegroups'), 2, call);
    await expect(client.setReplicas(target('scalegroups'), 3, call)).rejects.toMatchObject({
      code: 'K8S_INVALID',
      message: expect.stringContaining('0 to 2 replicas') as unknown,
    });
    await expect(client.setReplicas(target('scalegroups'), -1, call)).rejects.toMatchObject({
      code: 'K8S_INVALID',
    });
    // The failed writes did not block the next one, and changed nothing.
    expect((await client.getScale(target('scalegroups'), call)).replicas).toBe(2);
    await client.setReplicas(target('scalegroups'), 1, call);
    expect((await client.getScale(target('scalegroups'), call)).replicas).toBe(1);
  });

  it('answers K8S_NOT_FOUND for a group the file lacks or a kind that is not a group', async () => {
    const file = await writeScaleGroupFile({ replicas: 1, maxReplicas: 2 });
    dir = file.dir;
    const client = new StaticScaleClient({ clusterFile: file.path });
    await expect(client.getScale(target('scalegroups', 'other'), call)).rejects.toMatchObject({
      code: 'K8S_NOT_FOUND',
    });
    await expect(client.setReplicas(target('services'), 1, call)).rejects.toMatchObject({
      code: 'K8S_NOT_FOUND',
    });
  });

  it('loses no update when several targets are set at once', async () => {
    const file = await writeScaleGroupFile({ replicas: 0, maxReplicas: 4 });
    dir = file.dir;
    const client = new StaticScaleClient({ clusterFile: file.path });
    await Promise.all([1, 2, 3, 4].map((n) => client.setReplicas(target('scalegroups'), n, call)));
    // Serialised in call order: the last one wins, and the file is whole.
    expect(JSON.parse(await readFile(scaleStatePath(file.path), 'utf8'))).toEqual({
      replicas: { pool: 4 },
    });
  });
});
