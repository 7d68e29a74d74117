/**
 * Clients of services a process is not configured to use are never loaded: the Kubernetes client
 * (~0.7 s and ~70 MiB), ioredis (~0.1 s and ~25 MiB) and the S3 SDK (~0.2 s and ~22 MiB). A
 * leader, an agent and a simulator on a cluster file, the leader's rate limits in memory and no
 * S3 anywhere, start, connect and serve with all three imports forbidden (a module hook that
 * fails them), and the same guard stops an agent told to use Kubernetes discovery and a leader
 * told to keep rate limits in Redis — so the guard is real and the lazy paths are the ones taken.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { freePorts, writeClusterFile } from '../helpers/cluster-files.js';
import { startCli } from '../helpers/run-cli.js';
import { waitFor } from '../helpers/wait-for.js';

const KUBE_CLIENT = '@kubernetes/client-node';
const REDIS_CLIENT = 'ioredis';
const S3_SDK = '@aws-sdk/client-s3';
const GUARD = fileURLToPath(new URL('../helpers/forbid-modules.mjs', import.meta.url));
const ENV = {
  NODE_OPTIONS: `--import=${GUARD}`,
  INFERNODE_FORBID_MODULES: `${KUBE_CLIENT},${REDIS_CLIENT},${S3_SDK}`,
  INFERNODE_CLUSTER_SECRET: 'e2e-secret-0123456789abcdef',
  INFERNODE_AGENT_TOKEN: '',
};

interface ClusterNodes {
  nodes: { node: string; connected: boolean }[];
}

describe('optional clients', () => {
  it('a leader, an agent and a simulator on a cluster file run without them', async () => {
    const { path } = await writeClusterFile({ nodes: 1, enginesPerNode: 1 });
    const [gatewayPort, controlPort, apiPort, simPort] = await freePorts(4);
    const leader = startCli(
      ['leader', '--cluster-file', path, '--gateway-port', `${gatewayPort}`],
      { ...ENV, INFERNODE_LEADER_CONTROL_PORT: `${controlPort}` },
    );
    const agent = startCli(
      [
        'agent',
        '--cluster-file',
        path,
        '--node',
        'node-a',
        '--api-port',
        `${apiPort}`,
        '--leader-url',
        `ws://127.0.0.1:${controlPort}/v1/agents`,
      ],
      ENV,
    );
    const sim = startCli(['sim', '--port', `${simPort}`, '--model', 'test-model'], ENV);
    try {
      const connected = async (): Promise<boolean> => {
        const res = await fetch(`http://127.0.0.1:${controlPort}/v1/cluster`).catch(() => null);
        if (res?.ok !== true) return false;
        const { nodes } = (await res.json()) as ClusterNodes;
        return nodes.some((n) => n.node === 'node-a' && n.connected);
      };
      await waitFor(
        async () => (await connected()) || leader.child.exitCode !== null,
        'the agent connected to the leader',
        60_000,
      );
      expect(leader.output().stderr).not.toContain('forbidden module');
      expect(agent.output().stderr).not.toContain('forbidden module');
      await waitFor(
        async () =>
          (await fetch(`http://127.0.0.1:${simPort}/v1/models`).catch(() => null))?.ok === true ||
          sim.child.exitCode !== null,
        'the simulator serving',
        60_000,
      );
      expect(sim.output().stderr).not.toContain('forbidden module');
      const exits = [leader, agent, sim].map((p) => p.child.exitCode);
      expect(exits).toEqual([null, null, null]);
      const engines = await fetch(`http://127.0.0.1:${apiPort}/v1/engines`);
      expect(((await engines.json()) as { connected: boolean }).connected).toBe(true);
      expect((await fetch(`http://127.0.0.1:${controlPort}/readyz`)).status).toBe(200);
    } finally {
      for (const p of [leader, agent, sim]) p.child.kill('SIGTERM');
      await Promise.all([leader, agent, sim].map((p) => p.exited(30_000)));
    }
  });

  it('the guard stops an agent configured for Kubernetes discovery', async () => {
    const [apiPort] = await freePorts(1);
    const run = await startCli(
      ['agent', '--discovery', 'kubernetes', '--node', 'node-a', '--api-port', `${apiPort}`],
      ENV,
    ).exited(60_000);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain(`forbidden module imported: ${KUBE_CLIENT}`);
  });

  it('the guard stops a leader configured to keep rate limits in Redis', async () => {
    const { path } = await writeClusterFile({ nodes: 1, enginesPerNode: 1 });
    const [gatewayPort, controlPort] = await freePorts(2);
    const run = await startCli(
      ['leader', '--cluster-file', path, '--gateway-port', `${gatewayPort}`],
      {
        ...ENV,
        INFERNODE_LEADER_CONTROL_PORT: `${controlPort}`,
        INFERNODE_LEADER_TRAFFIC_STORE: 'redis',
      },
    ).exited(60_000);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain(`forbidden module imported: ${REDIS_CLIENT}`);
  });
});
