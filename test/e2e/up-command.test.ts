/** `infernode up` as a user runs it: prints where everything is, and Ctrl-C leaves nothing behind. */
import { spawn, execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import { writeClusterFile } from '../helpers/cluster-files.js';
import { runCli } from '../helpers/run-cli.js';
import { waitFor } from '../helpers/wait-for.js';

function childrenOf(pid: number): number[] {
  try {
    return execFileSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' })
      .split('\n')
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}

const lines = (text: string): string[] => text.split('\n').filter((l) => l.trim() !== '');

describe('infernode up', () => {
  it('runs the cluster file given as its argument, and Ctrl-C drains every child with one signal', async () => {
    const { path, dir } = await writeClusterFile({ nodes: 1, enginesPerNode: 2 });
    // Its own process group, like a shell's foreground job: Ctrl-C signals the whole group.
    const up = spawn(
      process.execPath,
      ['dist/cli/main.js', 'up', path, '--log-dir', `${dir}/logs`],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
      },
    );
    let out = '';
    up.stdout.on('data', (d: Buffer) => (out += d.toString()));
    await waitFor(
      () => out.includes('running. Ctrl-C stops everything.'),
      'up to report running',
      90_000,
    );
    expect(out).toContain(`starting the local cluster from ${path}`);
    expect(out).toMatch(/gateway \(OpenAI API\)\s+http:\/\/127\.0\.0\.1:\d+\/v1/);
    expect(out).toMatch(/node-a\s+engine-1\s+test-model/);
    const children = childrenOf(up.pid!);
    expect(children.length).toBe(4); // 2 simulators, the leader, 1 agent
    process.kill(-up.pid!, 'SIGINT'); // what the terminal does on Ctrl-C
    const [code] = (await once(up, 'exit')) as [number];
    expect(code).toBe(0);
    for (const pid of children) expect(() => process.kill(pid, 0)).toThrow();
    const logs = readdirSync(join(dir, 'logs'));
    expect(logs).toHaveLength(4);
    for (const name of logs) {
      const log = readFileSync(join(dir, 'logs', name), 'utf8');
      expect(log, name).not.toContain('second stop signal');
      expect(log, name).toMatch(/"signal":"SIGTERM","msg":"stopping"/);
      expect(log, name).toMatch(/"exitCode":0,"msg":"stopped"/);
    }
  });

  it('names a busy gateway port in one line and exits at once', async () => {
    const { path, dir } = await writeClusterFile({ nodes: 1, enginesPerNode: 1 });
    const { leader } = parseYaml(readFileSync(path, 'utf8')) as {
      leader: { gatewayPort: number };
    };
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(leader.gatewayPort, '127.0.0.1', resolve));
    try {
      const run = await runCli(['up', path, '--log-dir', `${dir}/logs`], {}, 50_000);
      expect(run.code).toBe(1);
      expect(lines(run.stderr)).toEqual([
        `infernode up: port ${leader.gatewayPort} on 127.0.0.1 for the gateway (leader.gatewayPort) is already in use; stop what holds it or change it in ${path} [PROC_PORT_IN_USE]`,
      ]);
      expect(run.ms).toBeLessThan(30_000);
    } finally {
      holder.close();
    }
  });

  it('names a missing cluster file in one line', async () => {
    const run = await runCli(['up', '/nonexistent/other.yaml']);
    expect(run.code).toBe(1);
    expect(lines(run.stderr)).toEqual([
      'infernode up: cannot read the cluster file /nonexistent/other.yaml: no such file [CONFIG_FILE_UNREADABLE]',
    ]);
  });

  it('stops at once, naming the child and its reason, when a child fails at start', async () => {
    const { path, dir } = await writeClusterFile({
      nodes: 1,
      enginesPerNode: 1,
      nodeEnv: () => ({ INFERNODE_AGENT_SCRAPE_INTERVAL_MS: 'often' }),
    });
    const run = await runCli(['up', path, '--log-dir', `${dir}/logs`], {}, 70_000);
    expect(run.code).toBe(1);
    const [line, ...more] = lines(run.stderr);
    expect(more).toEqual([]);
    expect(line).toMatch(
      /^infernode up: agent-node-a exited at start \(code 1\): .*scrape\.intervalMs/,
    );
    expect(line).toContain(join(dir, 'logs', 'agent-node-a.log'));
    expect(run.ms).toBeLessThan(45_000); // before: restarted until the 60 s ready timeout
  });
});
