import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { clusterEndpoints, parseClusterFile } from '../../../src/discovery/index.js';
import { ConfigError } from '../../../src/shared/index.js';

describe('parseClusterFile', () => {
  it('reads the shipped example: 2 nodes × 2 simulated engines', () => {
    const file = parseClusterFile(parse(readFileSync('examples/local-cluster.yaml', 'utf8')));
    expect(file.nodes.map((n) => n.engines.length)).toEqual([2, 2]);
    const endpoints = clusterEndpoints(file);
    expect(endpoints.map((e) => e.id)).toEqual([
      'node-a/engine-0',
      'node-a/engine-1',
      'node-b/engine-0',
      'node-b/engine-1',
    ]);
    expect(new Set(endpoints.map((e) => e.name)).size).toBe(4);
    expect(endpoints[1]!.gpuIndices).toEqual([1]);
  });

  it('defaults the k-th engine of a node to GPU k and accepts external URLs', () => {
    const file = parseClusterFile({
      nodes: [
        {
          name: 'n',
          agentPort: 9000,
          engines: [
            { name: 'a', model: 'm', sim: { port: 1 } },
            { name: 'b', model: 'm', url: 'http://10.0.0.5:8000/' },
          ],
        },
      ],
    });
    const [a, b] = clusterEndpoints(file);
    expect(a!.gpuIndices).toEqual([0]);
    expect(b!.gpuIndices).toEqual([1]);
    expect(b!.url).toBe('http://10.0.0.5:8000');
    expect(file.leader.gatewayPort).toBe(8080);
  });

  it('reports every problem at once', () => {
    let caught: unknown;
    try {
      parseClusterFile({
        leader: { gatewayPort: 70000 },
        nodes: [
          {
            name: 'n',
            agentPort: 'x',
            engines: [
              { name: 'Bad_Name', model: '' },
              { name: 'b', model: 'm', url: 'ftp://x', sim: { port: 2 } },
            ],
          },
        ],
        resources: [{ kind: 'ModelAdapter' }],
      });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const paths = (caught as ConfigError).issues.map((i) => i.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'leader.gatewayPort',
        'nodes[0].agentPort',
        'nodes[0].engines[0].name',
        'nodes[0].engines[0].model',
        'nodes[0].engines[1]',
        'nodes[0].engines[1].url',
        'resources[0]',
      ]),
    );
  });

  it('accepts the llama.cpp dialect and rejects an unknown one, naming the valid ones', () => {
    const file = (engine: string): unknown => ({
      nodes: [
        {
          name: 'n',
          agentPort: 9000,
          engines: [{ name: 'a', model: 'm', url: 'http://h:1', engine }],
        },
      ],
    });
    expect(clusterEndpoints(parseClusterFile(file('llamacpp')))[0]!.engine).toBe('llamacpp');
    expect(() => parseClusterFile(file('tgi'))).toThrow(/expected one of vllm, sglang, llamacpp/);
  });

  it('engine labels over model.infernode.io/name, and the max LoRA rank from the engine or its sim', () => {
    const file = parseClusterFile({
      nodes: [
        {
          name: 'n',
          agentPort: 9000,
          engines: [
            { name: 'a', model: 'm', sim: { port: 1, maxLoraRank: 64 }, labels: { tier: 'gold' } },
            { name: 'b', model: 'm', url: 'http://10.0.0.5:8000', maxLoraRank: 32 },
            { name: 'c', model: 'm', sim: { port: 2 }, labels: { 'model.infernode.io/name': 'x' } },
          ],
        },
      ],
    });
    const [a, b, c] = clusterEndpoints(file);
    expect(a!.labels).toEqual({ 'model.infernode.io/name': 'm', tier: 'gold' });
    expect(a!.maxLoraRank).toBe(64);
    expect(b!.labels).toEqual({ 'model.infernode.io/name': 'm' });
    expect(b!.maxLoraRank).toBe(32);
    expect(c!.labels).toEqual({ 'model.infernode.io/name': 'x' });
    expect(c!.maxLoraRank).toBeUndefined();
    const bad = (engine: Record<string, unknown>) => () =>
      parseClusterFile({
        nodes: [{ name: 'n', agentPort: 9000, engines: [{ name: 'a', model: 'm', ...engine }] }],
      });
    expect(bad({ url: 'http://h:1', labels: { 'bad key!': 'v' } })).toThrow(/labels.bad key!/);
    expect(bad({ url: 'http://h:1', labels: { k: 7 } })).toThrow(/Kubernetes label/);
    expect(bad({ url: 'http://h:1', maxLoraRank: 0 })).toThrow(/maxLoraRank/);
  });
});
