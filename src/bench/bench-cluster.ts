/**
 * Throwaway local clusters for load benchmarks: a cluster file in a temp directory, started with
 * `startLocalCluster` (`startTempCluster`), and the load benchmarks' own topology — one node, one
 * agent, `engines` fast simulators on free loopback ports (`startBenchCluster`).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePorts } from '../shared/index.js';
import { startLocalCluster, type LocalCluster, type LocalClusterOptions } from '../up/index.js';

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

/** A cluster started from a temp cluster file. */
export interface TempCluster {
  readonly cluster: LocalCluster;
  /** The temp directory with the cluster file and the children's logs. */
  readonly dir: string;
  /** Stops every child; removes the temp directory unless `keep`. */
  stop(keep?: boolean): Promise<void>;
}

/** A running benchmark cluster and the ports the load generator needs. */
export interface BenchCluster extends TempCluster {
  readonly host: string;
  readonly gatewayPort: number;
  readonly controlPort: number;
  readonly enginePorts: readonly number[];
}

/**
 * Writes `file` (a cluster file object) into a new temp directory and starts it; resolves once
 * the gateway serves. A cluster that does not start keeps its directory, named in the error.
 */
export async function startTempCluster(
  prefix: string,
  file: unknown,
  options: Omit<LocalClusterOptions, 'clusterFile' | 'logDir'>,
): Promise<TempCluster> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  const clusterFile = join(dir, 'cluster.yaml');
  await writeFile(clusterFile, `${JSON.stringify(file, null, 2)}\n`); // JSON is YAML
  let cluster: LocalCluster;
  try {
    cluster = await startLocalCluster({ clusterFile, logDir: join(dir, 'logs'), ...options });
  } catch (err) {
    throw new Error(`benchmark cluster did not start (logs kept in ${dir}/logs)`, { cause: err });
  }
  return {
    cluster,
    dir,
    stop: async (keep = false) => {
      await cluster.stop();
      if (!keep) await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Writes the cluster file and starts the cluster; resolves once the gateway serves. */
export async function startBenchCluster(options: BenchClusterOptions): Promise<BenchCluster> {
  const [gatewayPort = 0, controlPort = 0, agentPort, ...enginePorts] = await freePorts(
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
  const started = await startTempCluster('infernode-bench-', file, {
    ...(options.env === undefined ? {} : { env: options.env }),
    ...(options.leaderArgs === undefined ? {} : { leaderArgs: options.leaderArgs }),
    ...(options.report === undefined ? {} : { report: options.report }),
    readyTimeoutMs: 30_000,
  });
  return { ...started, host, gatewayPort, controlPort, enginePorts };
}
