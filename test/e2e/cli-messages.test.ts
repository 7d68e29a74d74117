/** What an operator reads when the command line or the configuration is wrong: one clear line. */
import { describe, expect, it } from 'vitest';
import { INFERNODE_VERSION } from '../../src/shared/index.js';
import { freePorts } from '../helpers/cluster-files.js';
import { runCli } from '../helpers/run-cli.js';

const lines = (text: string): string[] => text.split('\n').filter((l) => l.trim() !== '');
const NO_TOKEN = { INFERNODE_AGENT_TOKEN: '', INFERNODE_CLUSTER_SECRET: '' };

describe('infernode command-line messages', () => {
  it('prints the version for --version and -v', async () => {
    for (const flag of ['--version', '-v']) {
      const run = await runCli([flag]);
      expect(run.code, flag).toBe(0);
      expect(run.stdout.trim()).toBe(INFERNODE_VERSION);
    }
  });

  it('refuses an unknown flag and a stray argument with one line each', async () => {
    const unknown = await runCli(['status', '--bogus']);
    expect(unknown.code).toBe(1);
    expect(lines(unknown.stderr)).toEqual([
      'infernode: unknown flag --bogus (see infernode status --help)',
    ]);
    const stray = await runCli(['leader', 'some-file.yaml']);
    expect(stray.code).toBe(1);
    expect(lines(stray.stderr)).toHaveLength(1);
    expect(stray.stderr).toMatch(/unexpected argument "some-file\.yaml"/);
  });

  it('names the environment variable of a missing cluster secret, and prints the problem once', async () => {
    const run = await runCli(['leader', '--gateway-port', '0', '--control-port', '0'], NO_TOKEN);
    expect(run.code).toBe(1);
    expect(lines(run.stderr)).toHaveLength(1);
    expect(run.stderr).toMatch(/agents\.secret/);
    expect(run.stderr).toMatch(/INFERNODE_CLUSTER_SECRET/);
    expect(run.stderr.match(/agents\.secret/g)).toHaveLength(1);
  });

  it('status against an unreachable leader names the URL and the reason', async () => {
    const [port] = await freePorts(1);
    const run = await runCli(['status', '--leader-url', `http://127.0.0.1:${port}`]);
    expect(run.code).toBe(1);
    expect(lines(run.stderr)).toHaveLength(1);
    expect(run.stderr).toContain(`http://127.0.0.1:${port}/v1/cluster`);
    expect(run.stderr).toMatch(/connection refused/);
  });
});
