#!/usr/bin/env node
/**
 * Writes deploy/prometheus/prometheus-rule.yaml, the prometheus-operator PrometheusRule form of
 * deploy/prometheus/infernode-alerts.yaml (the plain rule file stays the one source: edit it,
 * then run this). test/unit/deploy/alert-rules.test.ts fails while the two differ.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';

const dir = join(dirname(fileURLToPath(import.meta.url)), '..', 'deploy', 'prometheus');
const plain = parse(readFileSync(join(dir, 'infernode-alerts.yaml'), 'utf8'));
const rule = {
  apiVersion: 'monitoring.coreos.com/v1',
  kind: 'PrometheusRule',
  metadata: { name: 'infernode', labels: { 'app.kubernetes.io/part-of': 'infernode' } },
  spec: { groups: plain.groups },
};
const header =
  '# GENERATED from infernode-alerts.yaml by `node scripts/prometheus-rule.mjs`: do not edit.\n' +
  '# For clusters running the prometheus-operator: kubectl apply -k deploy/prometheus/\n';
writeFileSync(
  join(dir, 'prometheus-rule.yaml'),
  header + stringify(rule, { lineWidth: 0, singleQuote: true }),
);
