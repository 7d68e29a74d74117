/**
 * A throwaway local cluster for load benchmarks: free loopback ports, a cluster file in a temp
 * directory (one node, one agent, `engines` fast simulators), started with `startLocalCluster`.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalCluster, type LocalCluster } from '../up/index.js';

/** What the benchmark cluster looks like. */
export interface BenchClusterOptions {
  readonly engines: number;
  readonly model: string;
  /** Simulator speed factor (simulated seconds per wall second). */
  readonly speed: number;
  readonly maxNumSeqs: number;
  /** Extra leader flags (e.g. `--routing-strategy least-request`). */
  readonly leaderArgs?: readonly string[];
  /** Extra environment for every child (e.g. NODE_OPTIONS=--cpu-prof). */
  readonly env?: Readonly<Record<string, string>>;
  readonly report?: (line: string) => void;
}

/** A running benchmark cluster and the ports the load generator needs. */
export interface BenchCluster {
  readonly cluster: LocalCluster;
  readonly host: string;
  readonly gatewayPort: number;
  readonly controlPort: number;
  readonly enginePorts: readonly number[];
  /** The temp directory with the cluster file and the children's logs. */
  readonly dir: string;
  /** Stops every child; removes the temp directory unless `keep`. */
  stop(keep?: boolean): Promise<void>;
}

/** `n` distinct free TCP ports on loopback (held open together, then released). */
export async function freePorts(n: number): Promise<number[]> {
  const servers: net.Server[] = [];
  try {
    for (let i = 0; i < n; i++) {
      const server = net.createServer();
      servers.push(server);
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(0, '127.0.0.1', () => resolve());
      });
    }
    return servers.map((s) => (s.address() as net.AddressInfo).port);
  } finally {
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  }
}

/** Writes the cluster file and starts the cluster; resolves once the gateway serves. */
export async function startBenchCluster(options: BenchClusterOptions): Promise<BenchCluster> {
  const dir = await mkdtemp(join(tmpdir(), 'infernode-bench-'));
  const [gatewayPort, controlPort, agentPort, ...enginePorts] = await freePorts(
    3 + options.engines,
  );
  const host = '127.0.0.1';
  const file = {
    leader: { host, gatewayPort, controlPort },
    nodes: [
      {
        name: 'bench-node',
        agentPort,
        engines: enginePorts.map((port, i) => ({
          name: `engine-${i}`,
          model: options.model,
          gpus: [i],
          sim: { port, speed: options.speed, maxNumSeqs: options.maxNumSeqs },
        })),
      },
    ],
    resources: [],
  };
  const clusterFile = join(dir, 'cluster.yaml');
  await writeFile(clusterFile, `${JSON.stringify(file, null, 2)}\n`); // JSON is YAML
  let cluster: LocalCluster;
  try {
    cluster = await startLocalCluster({
      clusterFile,
      logDir: join(dir, 'logs'),
      ...(options.env === undefined ? {} : { env: options.env }),
      ...(options.leaderArgs === undefined ? {} : { leaderArgs: options.leaderArgs }),
      ...(options.report === undefined ? {} : { report: options.report }),
      readyTimeoutMs: 30_000,
    });
  } catch (err) {
    throw new Error(`benchmark cluster did not start (logs kept in ${dir}/logs)`, { cause: err });
  }
  return {
    cluster,
    host,
    gatewayPort: gatewayPort ?? 0,
    controlPort: controlPort ?? 0,
    enginePorts,
    dir,
    stop: async (keep = false) => {
      await cluster.stop();
      if (!keep) await rm(dir, { recursive: true, force: true });
    },
  };
}
