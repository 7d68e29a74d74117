/**
 * How the leader and the agent end: a missing cluster file is one line naming it and a non-zero
 * exit before anything listens; SIGTERM drains, logs "stopped" and exits 0.
 */
import { describe, expect, it } from 'vitest';
import { writeClusterFile } from '../helpers/cluster-files.js';
import { runCli, startCli } from '../helpers/run-cli.js';
import { waitFor } from '../helpers/wait-for.js';

/** The leader's cluster secret; the agent derives its node's token from the same secret. */
const TOKEN = {
  INFERNODE_CLUSTER_SECRET: 'e2e-secret-0123456789abcdef',
  INFERNODE_AGENT_TOKEN: '',
};
const lines = (text: string): string[] => text.split('\n').filter((l) => l.trim() !== '');
const logged = (stderr: string, msg: string): boolean =>
  lines(stderr).some((l) => l.startsWith('{') && (JSON.parse(l) as { msg?: string }).msg === msg);

describe('leader and agent exit', () => {
  it.each(['leader', 'agent'])(
    'the %s exits non-zero with one line naming a missing cluster file',
    async (role) => {
      const missing = '/nonexistent/infernode-cluster.yaml';
      const ports =
        role === 'leader' ? ['--gateway-port', '0', '--control-port', '0'] : ['--api-port', '0'];
      const run = await runCli([role, '--cluster-file', missing, ...ports], TOKEN);
      expect(run.code).toBe(1);
      expect(lines(run.stderr)).toEqual([
        `infernode ${role}: cannot read the cluster file ${missing}: no such file [CONFIG_FILE_UNREADABLE]`,
      ]);
    },
  );

  it.each(['leader', 'agent'])(
    'the %s drains on SIGTERM, logs "stopped" and exits 0',
    async (role) => {
      const { path } = await writeClusterFile({ nodes: 1, enginesPerNode: 1 });
      const args =
        role === 'leader'
          ? ['leader', '--cluster-file', path, '--gateway-port', '0', '--control-port', '0']
          : [
              'agent',
              '--cluster-file',
              path,
              '--node',
              'node-a',
              '--api-port',
              '0',
              '--leader-url',
              'ws://127.0.0.1:9/v1/agents',
            ];
      const proc = startCli(args, TOKEN);
      const listening = role === 'leader' ? 'gateway listening' : 'agent API listening';
      await waitFor(
        () => proc.output().stderr.includes(listening) || proc.child.exitCode !== null,
        'listening',
        60_000,
      );
      expect(proc.child.exitCode).toBeNull();
      proc.child.kill('SIGTERM');
      const run = await proc.exited(30_000);
      expect(logged(run.stderr, 'stopping')).toBe(true);
      expect(logged(run.stderr, 'stopped')).toBe(true);
      expect(run.code).toBe(0);
    },
  );
});
