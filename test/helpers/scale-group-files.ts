/** Writes cluster files with one scale group into a temp dir, for the scale-group tests. */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { freePorts } from '../../src/shared/index.js';

/** What the written file holds: its path, and the ports it uses. */
export interface ScaleGroupFile {
  readonly dir: string;
  readonly path: string;
  readonly basePort: number;
  readonly agentPorts: readonly number[];
  readonly gatewayPort: number;
  readonly controlPort: number;
}

/** Settings of the one group, `pool`, serving `model` on `node-a` and `node-b`. */
export interface ScaleGroupFileSpec {
  readonly model?: string;
  readonly replicas: number;
  readonly maxReplicas: number;
  readonly sim?: Record<string, unknown>;
  readonly resources?: readonly unknown[];
}

/**
 * A cluster file with two nodes and the scale group `pool`; the group's ports are
 * consecutive free ports (freePorts hands out distinct ones; consecutive ones are probed here).
 */
export async function writeScaleGroupFile(spec: ScaleGroupFileSpec): Promise<ScaleGroupFile> {
  const dir = await mkdtemp(join(tmpdir(), 'scale-group-'));
  const [gatewayPort, controlPort, a, b] = (await freePorts(4)) as [number, number, number, number];
  const basePort = await consecutiveFreePorts(spec.maxReplicas);
  const file = {
    leader: { host: '127.0.0.1', gatewayPort, controlPort },
    nodes: [
      { name: 'node-a', agentPort: a, engines: [] },
      { name: 'node-b', agentPort: b, engines: [] },
    ],
    scaleGroups: [
      {
        name: 'pool',
        model: spec.model ?? 'test-model',
        replicas: spec.replicas,
        maxReplicas: spec.maxReplicas,
        basePort,
        nodes: ['node-a', 'node-b'],
        sim: spec.sim ?? { speed: 50, maxNumSeqs: 16 },
      },
    ],
    resources: spec.resources ?? [],
  };
  const path = join(dir, 'cluster.yaml');
  await writeFile(path, stringify(file));
  return { dir, path, basePort, agentPorts: [a, b], gatewayPort, controlPort };
}

/** The first of `count` consecutive ports that are free now (tries a few bases freePorts gives). */
async function consecutiveFreePorts(count: number): Promise<number> {
  const free = (port: number): Promise<boolean> =>
    new Promise((resolve) => {
      const server = createServer();
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
    });
  for (let attempt = 0; attempt < 50; attempt++) {
    const [base] = (await freePorts(1)) as [number];
    if (base + count > 65_535) continue;
    let all = true;
    for (let p = base; p < base + count && all; p++) all = await free(p);
    if (all) return base;
  }
  throw new Error(`no ${count} consecutive free ports found`);
}
