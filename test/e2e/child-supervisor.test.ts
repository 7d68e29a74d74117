/** The local cluster's supervisor: a child that dies on its own is reported and restarted. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ChildSupervisor, packageRoot } from '../../src/up/index.js';
import { freePorts } from '../helpers/cluster-files.js';
import { waitFor } from '../helpers/wait-for.js';

describe('ChildSupervisor', () => {
  it('reports and restarts a child killed from outside, and stops it for good on stop()', async () => {
    const reports: string[] = [];
    const supervisor = new ChildSupervisor({
      cliPath: join(packageRoot(), 'dist', 'cli', 'main.js'),
      logDir: mkdtempSync(join(tmpdir(), 'infernode-sup-')),
      report: (line) => reports.push(line),
      stopGraceMs: 2000,
    });
    const [port] = await freePorts(1);
    const health = async () => (await fetch(`http://127.0.0.1:${port}/health`)).status;
    try {
      supervisor.start({ name: 'sim-x', args: ['sim', '--port', String(port), '--model', 'm'] });
      await waitFor(async () => (await health()) === 200, 'simulator up', 20_000);
      const firstPid = supervisor.pids().get('sim-x');
      process.kill(firstPid!, 'SIGKILL');
      await waitFor(
        () => reports.some((r) => r.startsWith('sim-x exited (SIGKILL); restarting')),
        'death reported',
      );
      await waitFor(
        async () => supervisor.pids().get('sim-x') !== firstPid && (await health()) === 200,
        'restarted',
        20_000,
      );
      await supervisor.stop('sim-x');
      expect(supervisor.pids().has('sim-x')).toBe(false);
      await expect(health()).rejects.toThrow();
    } finally {
      await supervisor.stopAll();
    }
  });
});
