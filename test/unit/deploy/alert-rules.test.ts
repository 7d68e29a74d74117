/**
 * deploy/prometheus: every alert carries what an on-call engineer needs (severity, summary,
 * description, a runbook link that resolves to a README heading), reads only series src
 * registers, and the PrometheusRule variant is the plain rule file's groups unchanged.
 * (`promtool check rules` / `promtool test rules` run in test/integration/deploy.)
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import {
  markdownAnchors,
  metricFamily,
  metricNamesIn,
  registeredInSource,
  sourceText,
} from '../../helpers/promql-names.js';

interface Rule {
  alert?: string;
  record?: string;
  expr: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
interface RuleFile {
  groups: { name: string; rules: Rule[] }[];
}

const DIR = 'deploy/prometheus';
const plain = parse(readFileSync(`${DIR}/infernode-alerts.yaml`, 'utf8')) as RuleFile;
const rules = plain.groups.flatMap((g) => g.rules);
const alerts = rules.filter((r) => r.alert !== undefined);

describe('deploy/prometheus alert rules', () => {
  it('cover every failure issue #17 names', () => {
    const names = alerts.map((a) => a.alert);
    for (const wanted of [
      'InfernodeGpuFailed',
      'InfernodeNodeTainted',
      'InfernodeEngineFlapping',
      'InfernodeAdapterFailed',
      'InfernodeAutoscalerUnableToScale',
      'InfernodeAgentLost',
      'InfernodeLeaderChanges',
      'InfernodeGatewayErrorRatio',
      'InfernodeTtftSloBurnFast',
      'InfernodeTtftSloBurnSlow',
    ])
      expect(names).toContain(wanted);
  });

  it('give every alert a severity, a summary, a description and a README runbook anchor', () => {
    const anchors = markdownAnchors(readFileSync('README.md', 'utf8'));
    const problems: string[] = [];
    for (const a of alerts) {
      if (!['critical', 'warning'].includes(a.labels?.severity ?? ''))
        problems.push(`${a.alert}: severity`);
      if (!a.annotations?.summary) problems.push(`${a.alert}: summary`);
      if (!a.annotations?.description) problems.push(`${a.alert}: description`);
      const link = /^README\.md#(.+)$/.exec(a.annotations?.runbook_url ?? '');
      if (link === null || !anchors.has(link[1]!))
        problems.push(
          `${a.alert}: runbook_url ${a.annotations?.runbook_url} has no README heading`,
        );
    }
    expect(problems).toEqual([]);
  });

  it('read only metrics src registers', () => {
    const source = sourceText();
    const names = new Set(rules.flatMap((r) => metricNamesIn(r.expr)));
    expect(names.size).toBeGreaterThan(8);
    const unknown = [...names].filter((n) => !registeredInSource(metricFamily(n), source));
    expect(unknown).toEqual([]);
  });

  it('ship the same groups as a PrometheusRule (node scripts/prometheus-rule.mjs)', () => {
    const operator = parse(readFileSync(`${DIR}/prometheus-rule.yaml`, 'utf8')) as {
      kind: string;
      spec: RuleFile;
    };
    expect(operator.kind).toBe('PrometheusRule');
    expect(operator.spec.groups).toEqual(plain.groups);
    const kustomization = parse(readFileSync(`${DIR}/kustomization.yaml`, 'utf8')) as {
      resources: string[];
    };
    expect(kustomization.resources).toEqual(['prometheus-rule.yaml']);
  });
});

describe('promql-names helpers', () => {
  it('find metric names outside label matchers and strings', () => {
    expect(
      metricNamesIn(
        'sum by (node) (rate(infernode_kv_hits_total{tier="infernode_fake"}[5m])) / vllm:num_requests_running + model_name:infernode_x:ratio_rate5m',
      ),
    ).toEqual(['infernode_kv_hits_total', 'vllm:num_requests_running']);
    expect(metricFamily('infernode_gateway_hold_wait_seconds_bucket')).toBe(
      'infernode_gateway_hold_wait_seconds',
    );
  });
});
