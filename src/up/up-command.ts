/**
 * `infernode up`: the embedded default — a whole local cluster on loopback. Prints the gateway
 * URL, the metrics URLs and a table of nodes and engines; on a terminal, then a live table of the
 * engines' state and load (live-table.ts). Ctrl-C stops everything.
 */
import { defineCommand } from '../shared/index.js';
import { bool, str, int, whenAborted } from '../shared/index.js';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { childName, packageRoot, startLocalCluster } from './local-cluster.js';
import { refreshLiveEngines } from './live-engines.js';
import { LiveTable } from './live-table.js';

const out = (line: string): void => void process.stdout.write(`${line}\n`);

const DEFAULT_CLUSTER_FILE = 'examples/local-cluster.yaml';

/**
 * The default cluster file ships with the package: found from any directory (an installed
 * `infernode up`), not only from the repository root. A file the operator names is used as is.
 */
function defaultFileFromPackage(clusterFile: string): string {
  if (clusterFile !== DEFAULT_CLUSTER_FILE || existsSync(clusterFile)) return clusterFile;
  return join(packageRoot(), DEFAULT_CLUSTER_FILE);
}

export const upCommand = defineCommand({
  name: 'up',
  summary: 'run a whole local cluster on loopback: leader, agents, simulated engines',
  usage:
    'infernode up [cluster-file] [options]   (cluster-file: default examples/local-cluster.yaml)',
  description:
    'Starts the object store of the cluster file (`objectStore:`, an s3rver seeded with synthetic models) when it has one, every engine that has a `sim:` section, the leader and one agent per node as child processes, waits until the gateway serves, and prints where everything is. The cluster file is the argument or --cluster-file. A port already in use, a missing file or a child that fails at start stops it at once with one line saying what is wrong. A child that dies later is reported and restarted. With --kv (the default) each agent runs its KV block service on a free port with one token for the cluster and each simulator whose engine entry has `kvEvents:` publishes vLLM KV events there for its agent. With --gateways N it starts N leader processes, each serving the gateway on its own ports (the first on the cluster file’s, the others on free ones, following the first with --replicas-follow), prints every gateway URL and waits until each follower is ready; agents are given every replica’s hub URL and settle on the one that leads. Ctrl-C (SIGINT) or SIGTERM sends each child one SIGTERM and waits for them to drain.',
  positional: { name: 'cluster-file', flag: 'cluster-file' },
  envPrefix: 'UP',
  spec: {
    clusterFile: str(DEFAULT_CLUSTER_FILE, 'the cluster file to run'),
    logDir: str('.infernode/logs', 'where each process writes its log'),
    stateDir: str(
      '.infernode/state',
      'where the object store keeps its objects and seeded models, and the agents their caches',
    ),
    readyTimeoutMs: int(60_000, 'how long to wait for the cluster to serve, ms', { min: 1000 }),
    kv: bool(
      true,
      'the KV cache: each agent’s block service (ikv://) and the engines’ KV events their entries’ kvEvents name (false: a faster start)',
    ),
    gateways: int(
      1,
      'leader processes serving the gateway: the first leads, the others follow its routing state on their own free ports and take over if it dies',
      { min: 1, max: 16 },
    ),
  },
  async run({ config }) {
    // Installed before anything starts: the children run in their own process groups, so a
    // Ctrl-C reaches only this process, which must then stop them (while starting, too).
    const stop = new AbortController();
    const onSignal = (): void => stop.abort();
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    try {
      return await runUntilStopped(config, stop.signal);
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  },
});

async function runUntilStopped(
  config: {
    readonly clusterFile: string;
    readonly logDir: string;
    readonly stateDir: string;
    readonly readyTimeoutMs: number;
    readonly kv: boolean;
    readonly gateways: number;
  },
  signal: AbortSignal,
): Promise<number> {
  const clusterFile = defaultFileFromPackage(config.clusterFile);
  out(`infernode: starting the local cluster from ${clusterFile} …`);
  let table: LiveTable | undefined;
  let cluster;
  try {
    cluster = await startLocalCluster({
      clusterFile,
      logDir: config.logDir,
      stateDir: config.stateDir,
      readyTimeoutMs: config.readyTimeoutMs,
      kv: config.kv,
      gateways: config.gateways,
      report: (line) => {
        // Once the live table shows, log lines print above it.
        if (table === undefined) out(`infernode: ${line}`);
        else table.print(`infernode: ${line}`);
      },
      signal,
    });
  } catch (err) {
    if (!signal.aborted) throw err;
    out('infernode: stopped while starting.');
    return 130;
  }
  const models = [
    ...new Set([
      ...cluster.file.nodes.flatMap((n) => n.engines.map((e) => e.model)),
      ...cluster.file.scaleGroups.map((g) => g.model),
    ]),
  ];
  out('');
  out(`  gateway (OpenAI API)   ${cluster.gatewayUrl}/v1`);
  cluster.gatewayUrls.slice(1).forEach((url, i) => {
    const control = cluster.controlUrls[i + 1] ?? '';
    out(`  gateway replica ${String(i + 1).padEnd(6)} ${url}/v1   (follower; ${control}/metrics)`);
  });
  out(
    `  leader metrics         ${cluster.controlUrl}/metrics   cluster view ${cluster.controlUrl}/v1/cluster`,
  );
  if (cluster.objectStoreUrl !== undefined)
    out(
      `  object store (S3)      ${cluster.objectStoreUrl}   (s3rver; AWS_ENDPOINT_URL for clients)`,
    );
  for (const [node, url] of cluster.agentUrls)
    out(`  agent ${node.padEnd(16)} ${url}/metrics   ${url}/v1/engines`);
  for (const [node, url] of cluster.kvUrls)
    out(`  KV blocks ${node.padEnd(12)} ${url}   (agent ${node}'s block service)`);
  if (cluster.kvUrls.size > 0) out(`  KV index               ${cluster.controlUrl}/v1/kv`);
  out(`  logs                   ${config.logDir}/`);
  out('');
  out(
    `  ${'NODE'.padEnd(12)} ${'ENGINE'.padEnd(12)} ${'MODEL'.padEnd(28)} ${'GPUS'.padEnd(6)} URL`,
  );
  for (const node of cluster.file.nodes) {
    for (const e of node.engines) {
      const url = e.url ?? `http://127.0.0.1:${e.sim?.port ?? 0}`;
      out(
        `  ${node.name.padEnd(12)} ${e.name.padEnd(12)} ${e.model.padEnd(28)} ${e.gpus.join(',').padEnd(6)} ${url}`,
      );
    }
  }
  for (const g of cluster.file.scaleGroups)
    out(
      `  scale group ${g.name.padEnd(16)} ${g.model.padEnd(28)} replicas ${g.replicas} to ${g.maxReplicas} (the leader scales it; infernode up follows)`,
    );
  out('');
  out(
    `  try: curl ${cluster.gatewayUrl}/v1/chat/completions -H 'content-type: application/json' \\`,
  );
  out(
    `         -d '{"model":"${models[0] ?? 'model'}","messages":[{"role":"user","content":"Hello"}]}'`,
  );
  out('');
  out('infernode: running. Ctrl-C stops everything.');
  // On a terminal: the engines' state and load, refreshed in place; piped: the output above only.
  if (process.stdout.isTTY) {
    out('');
    table = new LiveTable(process.stdout);
    await refreshLiveEngines(cluster.controlUrl, table, signal);
    table.clear();
    table = undefined;
  }
  await whenAborted(signal);
  out('infernode: stopping (each process drains its requests) …');
  await cluster.stop();
  out(
    `infernode: stopped (${childName.leader}, agents and engines${cluster.objectStoreUrl === undefined ? '' : ', object store'}).`,
  );
  return 0;
}
