/** `infernode up` as a user runs it: prints where everything is, and Ctrl-C leaves nothing behind. */
import { spawn, execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { writeClusterFile } from '../helpers/cluster-files.js';
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

describe('infernode up', () => {
  it('starts the cluster, prints the gateway URL and a table, and stops every child on SIGINT', async () => {
    const { path, dir } = await writeClusterFile({ nodes: 1, enginesPerNode: 2 });
    const up = spawn(
      process.execPath,
      ['dist/cli/main.js', 'up', '--cluster-file', path, '--log-dir', `${dir}/logs`],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    up.stdout.on('data', (d: Buffer) => (out += d.toString()));
    await waitFor(
      () => out.includes('running. Ctrl-C stops everything.'),
      'up to report running',
      60_000,
    );
    expect(out).toMatch(/gateway \(OpenAI API\)\s+http:\/\/127\.0\.0\.1:\d+\/v1/);
    expect(out).toMatch(/node-a\s+engine-1\s+test-model/);
    const children = childrenOf(up.pid!);
    expect(children.length).toBe(4); // 2 simulators, the leader, 1 agent
    up.kill('SIGINT');
    const [code] = (await once(up, 'exit')) as [number];
    expect(code).toBe(0);
    for (const pid of children) expect(() => process.kill(pid, 0)).toThrow();
  });
});
