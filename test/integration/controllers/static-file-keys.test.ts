/**
 * The reconcile host over the static cluster file: the file's custom resources become keys, a
 * reconcile reads the resource from discovery's current view, and an edit of the file brings
 * back only the resources that changed or went away.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import {
  DONE,
  ReconcileHost,
  systemTimers,
  viewKeys,
  type ViewEntries,
} from '../../../src/controllers/index.js';
import { type ClusterView, type CustomResource } from '../../../src/discovery/index.js';
import { StaticClusterSource } from '../../../src/discovery/adapters/index.js';
import { SeededRng, createRegistry, silentLogger, systemClock } from '../../../src/shared/index.js';
import { writeClusterFile } from '../../helpers/cluster-files.js';
import { waitFor } from '../../helpers/wait-for.js';

const adapter = (name: string, artifactURL: string): CustomResource => ({
  apiVersion: 'infernode.io/v1alpha1',
  kind: 'ModelAdapter',
  metadata: { name, namespace: 'default' },
  spec: { baseModel: 'test-model', artifactURL },
});

const modelAdapters: ViewEntries<ClusterView> = (view) =>
  view.resources
    .filter((r) => r.kind === 'ModelAdapter')
    .map((r) => [`${r.metadata.namespace ?? ''}/${r.metadata.name}`, JSON.stringify(r)] as const);

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
});

describe('ReconcileHost over the static cluster file', () => {
  it('reconciles the file’s resources, then only those an edit changed or removed', async () => {
    const a = adapter('a', 'file:///a');
    const b = adapter('b', 'file:///b');
    const d = adapter('d', 'file:///d');
    const { path } = await writeClusterFile({
      nodes: 1,
      enginesPerNode: 0,
      resources: [a, b, d],
    });
    const source = new StaticClusterSource({ path, log: silentLogger(), pollIntervalMs: 20 });
    await source.load();
    const seen: string[] = [];
    const host = new ReconcileHost({
      name: 'model-adapter-test',
      reconciler: {
        reconcile: (key) => {
          const exists = source
            .current()
            .resources.some((r) => `${r.metadata.namespace ?? ''}/${r.metadata.name}` === key);
          seen.push(`${key}:${exists ? 'present' : 'gone'}`);
          return Promise.resolve(DONE);
        },
      },
      sources: [viewKeys(source, modelAdapters)],
      log: silentLogger(),
      registry: createRegistry({ defaultMetrics: false }),
      clock: systemClock,
      rng: new SeededRng(1),
      timers: systemTimers,
      settings: { resyncIntervalMs: 0 },
    });
    const abort = new AbortController();
    const running = Promise.all([source.run(abort.signal), host.run(abort.signal)]);
    stops.push(async () => {
      abort.abort();
      await running;
    });
    await waitFor(() => seen.length >= 3, 'first reconciles');
    expect(seen.sort()).toEqual(['default/a:present', 'default/b:present', 'default/d:present']);
    seen.length = 0;
    // mtime resolution: make sure the edit is seen as a change.
    await new Promise((resolve) => setTimeout(resolve, 30));
    const file = parse(readFileSync(path, 'utf8')) as { resources: unknown[] };
    file.resources = [adapter('b', 'file:///b2'), adapter('c', 'file:///c'), d];
    writeFileSync(path, stringify(file));
    await waitFor(() => seen.length >= 3, 'reconciles after the edit');
    // Give an unwanted reconcile of the unchanged 'd' the time to show up.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(seen.sort()).toEqual(['default/a:gone', 'default/b:present', 'default/c:present']);
  });
});
