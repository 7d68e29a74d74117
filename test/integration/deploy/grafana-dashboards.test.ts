/**
 * deploy/grafana: each dashboard is importable as shipped (a `datasource` variable every query
 * uses, unique uids and panel ids, a description on every panel), every PromQL expression parses
 * with Prometheus's own parser (`promtool check rules` on them as recording rules) and reads only
 * metrics src registers. Whether running processes really export them: test/e2e/dashboard-metrics.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { panelExprs, readDashboards, withVariables } from '../../helpers/grafana-dashboards.js';
import {
  metricFamily,
  metricNamesIn,
  registeredInSource,
  sourceText,
} from '../../helpers/promql-names.js';

const dashboards = readDashboards();
const exprs = panelExprs(dashboards);
const dir = mkdtempSync(join(tmpdir(), 'infernode-grafana-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('deploy/grafana dashboards', () => {
  it('cover the areas issue #17 names, one uid each', () => {
    const uids = dashboards.map((d) => d.uid);
    expect(new Set(uids).size).toBe(uids.length);
    for (const area of [
      'gateway',
      'routing',
      'engines',
      'gpus',
      'adapters',
      'autoscaling',
      'kvcache',
    ])
      expect(uids).toContain(`infernode-${area}`);
  });

  it('query through the datasource variable and describe every panel', () => {
    const problems: string[] = [];
    for (const d of dashboards) {
      if (!d.templating.list.some((v) => v.name === 'datasource' && v.type === 'datasource'))
        problems.push(`${d.file}: no datasource variable`);
      const ids = d.panels.map((p) => p.id);
      if (new Set(ids).size !== ids.length) problems.push(`${d.file}: duplicate panel ids`);
      for (const p of d.panels.filter((panel) => panel.type !== 'row')) {
        if (!p.description) problems.push(`${d.file} / ${p.title}: no description`);
        if ((p.targets ?? []).length === 0) problems.push(`${d.file} / ${p.title}: no query`);
        for (const t of p.targets ?? [])
          if (t.datasource?.uid !== '${datasource}' || p.datasource?.uid !== '${datasource}')
            problems.push(`${d.file} / ${p.title}: not on \${datasource}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('have expressions Prometheus parses', () => {
    expect(exprs.length).toBeGreaterThan(50);
    const file = join(dir, 'dashboards.rules.yaml');
    const rules = exprs.map((e, i) => ({
      record: `dashboard:expr:${i}`,
      expr: withVariables(e.expr),
    }));
    writeFileSync(file, stringify({ groups: [{ name: 'dashboards', rules }] }));
    const run = spawnSync('promtool', ['check', 'rules', file], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    const output = `${run.stdout}${run.stderr}`;
    // promtool names a failing rule by its index: say which panel it is.
    const failing = [...output.matchAll(/dashboard:expr:(\d+)/g)].map((m) => exprs[Number(m[1])]);
    expect({ status: run.status, failing }, output).toEqual({ status: 0, failing: [] });
    expect(output).toContain(`SUCCESS: ${exprs.length} rules found`);
  });

  it('read only metrics src registers', () => {
    const source = sourceText();
    const unknown = exprs.flatMap((e) =>
      metricNamesIn(e.expr)
        .filter((n) => !registeredInSource(metricFamily(n), source))
        .map((n) => `${e.where}: ${n}`),
    );
    expect(unknown).toEqual([]);
  });
});
