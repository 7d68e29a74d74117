import { describe, expect, it } from 'vitest';
import { parseClusterFile, type NodeEntry } from '../../../src/discovery/index.js';
import { clusterPorts } from '../../../src/up/cluster-ports.js';
import { simChildSpec } from '../../../src/up/sim-child.js';
import {
  agentWeightsSettings,
  engineWeightsSettings,
  type ObjectStoreAccess,
} from '../../../src/up/weights-wiring.js';

const store: ObjectStoreAccess = {
  url: 'http://127.0.0.1:9000',
  accessKeyId: 'S3RVER',
  secretAccessKey: 'S3RVER',
  region: 'us-east-1',
};

const cluster = parseClusterFile({
  objectStore: { port: 9000, seed: [{ bucket: 'models', prefix: 'm', sizeMiB: 1 }] },
  nodes: [
    {
      name: 'node-a',
      agentPort: 9101,
      readThroughPort: 9201,
      engines: [
        { name: 'e0', model: 'm', sim: { port: 8101, modelPath: 's3://models/m' } },
        { name: 'e1', model: 'm', sim: { port: 8102, modelPath: 'models/m' } },
        { name: 'e2', model: 'm', sim: { port: 8103 } },
      ],
    },
    {
      name: 'node-b',
      agentPort: 9102,
      engines: [{ name: 'e0', model: 'm', sim: { port: 8104, modelPath: 's3://models/m' } }],
    },
  ],
});
const [a, b] = cluster.nodes as [NodeEntry, NodeEntry];

describe('up: weights wiring', () => {
  it('points an s3:// engine at its node agent read-through endpoint', () => {
    const w = engineWeightsSettings(a, a.engines[0]!, '/cfg', store);
    expect(w.args).toEqual(['--model-path', 's3://models/m', '--load-format', 'auto']);
    expect(w.env).toMatchObject({
      AWS_ENDPOINT_URL: 'http://127.0.0.1:9201',
      AWS_ACCESS_KEY_ID: 'S3RVER',
      AWS_REGION: 'us-east-1',
    });
  });

  it('without a read-through port, at the object store itself', () => {
    const w = engineWeightsSettings(b, b.engines[0]!, '/cfg', store);
    expect(w.env.AWS_ENDPOINT_URL).toBe(store.url);
  });

  it('resolves a relative directory against the cluster file; no AWS env for it', () => {
    const w = engineWeightsSettings(a, a.engines[1]!, '/cfg', store);
    expect(w.args).toEqual(['--model-path', '/cfg/models/m', '--load-format', 'auto']);
    expect(w.env).toEqual({});
    expect(engineWeightsSettings(a, a.engines[2]!, '/cfg', store)).toEqual({ args: [], env: {} });
  });

  it('the sim child carries the weights flags and env', () => {
    const spec = simChildSpec(a, a.engines[0]!, {
      extraArgs: ['--speed', '10'],
      clusterDir: '/cfg',
      objectStore: store,
    });
    expect(spec?.args).toEqual([
      'sim',
      '--port',
      '8101',
      '--model',
      'm',
      '--model-path',
      's3://models/m',
      '--load-format',
      'auto',
      '--speed',
      '10',
    ]);
    expect(spec?.env?.AWS_ENDPOINT_URL).toBe('http://127.0.0.1:9201');
  });

  it('gives each agent its read-through port (verifying the engines’ key pair), its own cache and the upstream store', () => {
    const w = agentWeightsSettings(a, '/state', store);
    expect(w.args).toEqual([]);
    expect(w.env).toEqual({
      INFERNODE_AGENT_NODE_CACHE_PATH: '/state/node-cache/node-a',
      INFERNODE_AGENT_WEIGHTS_READ_THROUGH_ENABLED: 'true',
      INFERNODE_AGENT_WEIGHTS_READ_THROUGH_PORT: '9201',
      INFERNODE_AGENT_WEIGHTS_READ_THROUGH_ACCESS_KEY_ID: 'S3RVER',
      INFERNODE_AGENT_WEIGHTS_READ_THROUGH_SECRET_ACCESS_KEY: 'S3RVER',
      AWS_ENDPOINT_URL: store.url,
      AWS_ACCESS_KEY_ID: 'S3RVER',
      AWS_SECRET_ACCESS_KEY: 'S3RVER',
      AWS_REGION: 'us-east-1',
      AWS_S3_FORCE_PATH_STYLE: 'true',
    });
    expect(agentWeightsSettings(b, '/state', undefined).env).toEqual({
      INFERNODE_AGENT_NODE_CACHE_PATH: '/state/node-cache/node-b',
    });
  });

  it('lets file:// artifacts come from the given roots (the cluster file’s directory, examples/)', () => {
    expect(
      agentWeightsSettings(b, '/state', undefined, ['/work/cluster', '/repo/examples']).env,
    ).toEqual({
      INFERNODE_AGENT_NODE_CACHE_PATH: '/state/node-cache/node-b',
      INFERNODE_AGENT_WEIGHTS_FILE_ROOTS: '/work/cluster,/repo/examples',
    });
  });

  it('checks the object store and read-through ports before starting', () => {
    const roles = clusterPorts(cluster).map((p) => `${p.port} ${p.role}`);
    expect(roles).toContain('9000 the object store (objectStore.port)');
    expect(roles).toContain('9201 the read-through endpoint of node-a (nodes[0].readThroughPort)');
  });
});
