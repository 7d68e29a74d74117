/**
 * deploy/prometheus with Prometheus's own tool: the rule file and its PrometheusRule twin's
 * groups parse (`promtool check rules`), and the rule unit tests in deploy/prometheus/tests/ pass
 * (`promtool test rules`: each alert fires on its failure after its `for:` and not on the
 * healthy case beside it).
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const promtool = (...args: string[]): { status: number | null; output: string } => {
  const run = spawnSync('promtool', args, { encoding: 'utf8', timeout: 60_000 });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
};

describe('deploy/prometheus with promtool', () => {
  it('checks the rule file clean', () => {
    const { status, output } = promtool(
      'check',
      'rules',
      'deploy/prometheus/infernode-alerts.yaml',
    );
    expect(output).toContain('SUCCESS');
    expect(status, output).toBe(0);
  });

  it('passes the rule unit tests', () => {
    const { status, output } = promtool(
      'test',
      'rules',
      'deploy/prometheus/tests/infernode-alerts.test.yaml',
    );
    expect(status, output).toBe(0);
    expect(output).toContain('SUCCESS');
  });
});
