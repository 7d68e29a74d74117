/**
 * `infernode up`: the embedded default — a whole local cluster on loopback. Prints the gateway
 * URL, the metrics URLs and a table of nodes and engines; Ctrl-C stops everything.
 */
import { defineCommand } from '../cli/index.js';
import { str, int } from '../shared/index.js';
import { childName, startLocalCluster } from './local-cluster.js';

const out = (line: string): void => void process.stdout.write(`${line}\n`);

export const upCommand = defineCommand({
  name: 'up',
  summary: 'run a whole local cluster on loopback: leader, agents, simulated engines',
  usage: 'infernode up [--cluster-file examples/local-cluster.yaml]',
  description:
    'Starts every engine of the cluster file that has a `sim:` section, the leader and one agent per node as child processes, waits until the gateway serves, and prints where everything is. A child that dies is reported and restarted. Ctrl-C (SIGINT) or SIGTERM stops all of them.',
  envPrefix: 'UP',
  spec: {
    clusterFile: str('examples/local-cluster.yaml', 'the cluster file to run'),
    logDir: str('.infernode/logs', 'where each process writes its log'),
    readyTimeoutMs: int(60_000, 'how long to wait for the cluster to serve, ms', { min: 1000 }),
  },
  async run({ config }) {
    out(`infernode: starting the local cluster from ${config.clusterFile} …`);
    const cluster = await startLocalCluster({
      clusterFile: config.clusterFile,
      logDir: config.logDir,
      readyTimeoutMs: config.readyTimeoutMs,
      report: (line) => out(`infernode: ${line}`),
    });
    const models = [...new Set(cluster.file.nodes.flatMap((n) => n.engines.map((e) => e.model)))];
    out('');
    out(`  gateway (OpenAI API)   ${cluster.gatewayUrl}/v1`);
    out(
      `  leader metrics         ${cluster.controlUrl}/metrics   cluster view ${cluster.controlUrl}/v1/cluster`,
    );
    for (const [node, url] of cluster.agentUrls)
      out(`  agent ${node.padEnd(16)} ${url}/metrics   ${url}/v1/engines`);
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
    out('');
    out(
      `  try: curl ${cluster.gatewayUrl}/v1/chat/completions -H 'content-type: application/json' \\`,
    );
    out(
      `         -d '{"model":"${models[0] ?? 'model'}","messages":[{"role":"user","content":"Hello"}]}'`,
    );
    out('');
    out('infernode: running. Ctrl-C stops everything.');
    await new Promise<void>((resolve) => {
      process.once('SIGINT', () => resolve());
      process.once('SIGTERM', () => resolve());
    });
    out('infernode: stopping …');
    await cluster.stop();
    out(`infernode: stopped (${childName.leader}, agents and engines).`);
    return 0;
  },
});
