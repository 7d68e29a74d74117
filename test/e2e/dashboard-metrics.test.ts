/**
 * The metric names deploy/grafana's dashboards and deploy/prometheus's rules read are really
 * exported: a local cluster (2 nodes, fake nvidia-smi, KV events on) serves a little traffic,
 * then every process's /metrics is scraped (the leader's control port, each agent, each
 * simulated engine) and every referenced family must be there, as samples or at least as its
 * `# TYPE` line (a labelled counter with no event yet, an Xid say, has no sample). No allow-list
 * is needed: every process registers its metrics at start, events only add samples.
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { startLocalCluster, type LocalCluster } from '../../src/up/index.js';
import { writeClusterFile } from '../helpers/cluster-files.js';
import { panelExprs, readDashboards } from '../helpers/grafana-dashboards.js';
import { metricFamily, metricNamesIn } from '../helpers/promql-names.js';

let cluster: LocalCluster;

beforeAll(async () => {
  const tmp = mkdtempSync(join(tmpdir(), 'infernode-dash-'));
  const { path } = await writeClusterFile({
    nodes: 2,
    enginesPerNode: 1,
    kvEvents: true,
    nodeEnv: (n) => {
      const scenario = join(tmp, `scenario-${n}.json`);
      const kmsg = join(tmp, `kmsg-${n}.log`);
      writeFileSync(scenario, JSON.stringify({ gpus: 1 }));
      writeFileSync(kmsg, '');
      return { INFERNODE_FAKE_GPU_SCENARIO: scenario, INFERNODE_KMSG_PATH: kmsg };
    },
  });
  cluster = await startLocalCluster({
    clusterFile: path,
    env: { PATH: `${resolve('test/fixtures/bin')}:${process.env.PATH ?? ''}` },
    agentArgs: ['--scrape-interval-ms', '200', '--gpu-probe-interval-ms', '300'],
  });
});

afterAll(async () => {
  await cluster.stop();
});

async function chat(i: number): Promise<void> {
  const res = await fetch(`${cluster.gatewayUrl}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      model: 'test-model',
      messages: [{ role: 'user', content: `a shared prefix for the dashboards ${i % 2}` }],
      max_tokens: 4,
    }),
  });
  expect(res.status).toBe(200);
  await res.arrayBuffer();
}

/** Families a /metrics text exports: every `# TYPE` line and every sample's family. */
function exportedFamilies(text: string): Set<string> {
  const families = new Set<string>();
  for (const line of text.split('\n')) {
    const type = /^# TYPE (\S+) /.exec(line);
    if (type) families.add(type[1]!);
    else if (line !== '' && !line.startsWith('#'))
      families.add(metricFamily(line.split(/[{ ]/)[0]!));
  }
  return families;
}

async function scrapeAll(): Promise<Set<string>> {
  const urls = [
    `${cluster.controlUrl}/metrics`,
    ...[...cluster.agentUrls.values()].map((u) => `${u}/metrics`),
    ...cluster.file.nodes.flatMap((n) =>
      n.engines.flatMap((e) => (e.sim ? [`http://127.0.0.1:${e.sim.port}/metrics`] : [])),
    ),
  ];
  const all = new Set<string>();
  for (const url of urls) {
    const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
    expect(res.status, url).toBe(200);
    for (const f of exportedFamilies(await res.text())) all.add(f);
  }
  return all;
}

function referencedNames(): Map<string, string> {
  const where = new Map<string, string>();
  for (const e of panelExprs(readDashboards()))
    for (const n of metricNamesIn(e.expr)) where.set(metricFamily(n), e.where);
  const rules = parse(readFileSync('deploy/prometheus/infernode-alerts.yaml', 'utf8')) as {
    groups: { rules: { alert?: string; record?: string; expr: string }[] }[];
  };
  for (const r of rules.groups.flatMap((g) => g.rules))
    for (const n of metricNamesIn(r.expr))
      where.set(metricFamily(n), `alerts / ${r.alert ?? r.record ?? '?'}`);
  return where;
}

describe('dashboards and alert rules on a running local cluster', () => {
  it('read only metric families the processes export', async () => {
    for (let i = 0; i < 8; i++) await chat(i);
    const exported = await scrapeAll();
    const referenced = referencedNames();
    expect(referenced.size).toBeGreaterThan(40);
    const missing = [...referenced]
      .filter(([family]) => !exported.has(family))
      .map(([family, where]) => `${where}: ${family}`);
    expect(missing).toEqual([]);
  });
});
