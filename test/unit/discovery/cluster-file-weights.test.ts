import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { parseClusterFile } from '../../../src/discovery/index.js';
import { ConfigError } from '../../../src/shared/index.js';

const file = (sim: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  nodes: [
    {
      name: 'node-a',
      agentPort: 9101,
      readThroughPort: 9201,
      engines: [{ name: 'engine-0', model: 'm', sim: { port: 8101, ...sim } }],
    },
  ],
  ...extra,
});

/** The issue paths of a file that must fail. */
function issuePaths(raw: unknown): string[] {
  try {
    parseClusterFile(raw);
  } catch (err) {
    if (err instanceof ConfigError) return err.issues.map((i) => i.path);
    throw err;
  }
  throw new Error('expected the file to be refused');
}

describe('cluster file: weights', () => {
  it('keeps modelPath, loadFormat, readThroughPort and objectStore', () => {
    const parsed = parseClusterFile(
      file(
        { modelPath: 's3://models/llama-64m', loadFormat: 'runai_streamer', maxNumSeqs: 8 },
        {
          objectStore: {
            port: 9000,
            buckets: ['models'],
            seed: [{ bucket: 'models', prefix: '/llama-64m/', sizeMiB: 64, shards: 2 }],
          },
        },
      ),
    );
    const node = parsed.nodes[0];
    expect(node?.readThroughPort).toBe(9201);
    expect(node?.engines[0]?.sim).toEqual({
      port: 8101,
      maxNumSeqs: 8,
      modelPath: 's3://models/llama-64m',
      loadFormat: 'runai_streamer',
    });
    expect(parsed.objectStore).toEqual({
      host: '127.0.0.1',
      port: 9000,
      buckets: ['models'],
      seed: [{ bucket: 'models', prefix: 'llama-64m', sizeMiB: 64, shards: 2 }],
    });
  });

  it('examples/weights-cluster.yaml is valid: 1 node, 2 engines streaming one seeded model', () => {
    const parsed = parseClusterFile(parse(readFileSync('examples/weights-cluster.yaml', 'utf8')));
    expect(parsed.objectStore?.seed).toEqual([
      { bucket: 'models', prefix: 'llama-3.2-64m', sizeMiB: 64, shards: 2 },
    ]);
    expect(parsed.nodes[0]?.engines.map((e) => e.sim?.loadFormat)).toEqual([
      'runai_streamer',
      'runai_streamer',
    ]);
  });

  it('a file without objectStore has none', () => {
    expect(parseClusterFile(file({})).objectStore).toBeUndefined();
  });

  it('names each bad sim setting by its path', () => {
    const base = 'nodes[0].engines[0].sim';
    expect(issuePaths(file({ loadFormat: 'pt' }))).toEqual([`${base}.loadFormat`]);
    expect(issuePaths(file({ loadFormat: 'runai_streamer' }))).toEqual([`${base}.modelPath`]);
    expect(issuePaths(file({ modelPath: 's3://models/x', loadFormat: 'safetensors' }))).toEqual([
      `${base}.loadFormat`,
    ]);
    expect(issuePaths(file({ modelPath: 'gs://m/x' }))).toEqual([`${base}.modelPath`]);
    expect(issuePaths(file({ modelPath: '' }))).toEqual([`${base}.modelPath`]);
    expect(issuePaths(file({ maxNumSeqs: 0, speed: 'fast' }))).toEqual([
      `${base}.speed`,
      `${base}.maxNumSeqs`,
    ]);
    expect(issuePaths(file({ modelpath: '/m' }))).toEqual([`${base}.modelpath`]);
  });

  it('names each bad objectStore setting by its path', () => {
    expect(
      issuePaths(
        file(
          {},
          {
            objectStore: {
              host: '0.0.0.0',
              buckets: ['Bad_Name'],
              seed: [{ bucket: 'models', prefix: '../x', sizeMiB: -1, shards: 1.5 }, 'x'],
            },
          },
        ),
      ),
    ).toEqual([
      'objectStore.host',
      'objectStore.buckets[0]',
      'objectStore.seed[0].prefix',
      'objectStore.seed[0].sizeMiB',
      'objectStore.seed[0].shards',
      'objectStore.seed[1]',
      'objectStore.port',
    ]);
    expect(
      issuePaths({ ...file({}), nodes: [{ ...file({}).nodes[0], readThroughPort: 0 }] }),
    ).toEqual(['nodes[0].readThroughPort']);
  });
});
