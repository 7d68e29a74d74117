import { describe, expect, it } from 'vitest';
import {
  clusterEndpoints,
  parseClusterFile,
  withScaleGroupReplicas,
} from '../../../src/discovery/index.js';
import { parseScaleState } from '../../../src/discovery/adapters/index.js';
import { ConfigError } from '../../../src/shared/index.js';

const base = {
  nodes: [
    { name: 'a', agentPort: 9001, engines: [{ name: 'e', model: 'm', sim: { port: 8001 } }] },
    { name: 'b', agentPort: 9002, engines: [] },
  ],
};
const group = {
  name: 'pool',
  model: 'small',
  replicas: 0,
  maxReplicas: 3,
  basePort: 8100,
  nodes: ['a', 'b'],
  sim: { speed: 50, slowStartMs: 500 },
};

function issuesOf(raw: unknown): string[] {
  try {
    parseClusterFile(raw);
  } catch (err) {
    if (err instanceof ConfigError) return err.issues.map((i) => `${i.path}: ${i.message}`);
    throw err;
  }
  return [];
}

describe('cluster file scale groups', () => {
  it('parses a group with its sim template; replicas default to 1', () => {
    const file = parseClusterFile({ ...base, scaleGroups: [{ ...group, replicas: undefined }] });
    expect(file.scaleGroups).toHaveLength(1);
    expect(file.scaleGroups[0]).toMatchObject({
      name: 'pool',
      model: 'small',
      engine: 'vllm',
      replicas: 1,
      maxReplicas: 3,
      basePort: 8100,
      nodes: ['a', 'b'],
      sim: { speed: 50, slowStartMs: 500 },
    });
    expect(parseClusterFile(base).scaleGroups).toEqual([]);
  });

  it('expands replicas onto their nodes in turn with their own ports, newest last', () => {
    const file = parseClusterFile({ ...base, scaleGroups: [group] });
    expect(clusterEndpoints(withScaleGroupReplicas(file, new Map())).map((e) => e.id)).toEqual([
      'a/e',
    ]);
    const three = withScaleGroupReplicas(file, new Map([['pool', 3]]));
    const endpoints = clusterEndpoints(three);
    expect(endpoints.map((e) => [e.id, e.url, e.model])).toEqual([
      ['a/e', 'http://127.0.0.1:8001', 'm'],
      ['a/pool-0', 'http://127.0.0.1:8100', 'small'],
      ['a/pool-2', 'http://127.0.0.1:8102', 'small'],
      ['b/pool-1', 'http://127.0.0.1:8101', 'small'],
    ]);
    // GPUs after the node's own engines.
    expect(endpoints[1]!.gpuIndices).toEqual([1]);
    expect(three.nodes[0]!.engines[1]!.scaleGroup).toBe('pool');
    // Clamped to maxReplicas.
    expect(clusterEndpoints(withScaleGroupReplicas(file, new Map([['pool', 9]])))).toHaveLength(4);
  });

  it('reports every problem at once with its path', () => {
    const issues = issuesOf({
      ...base,
      scaleGroups: [
        {
          name: 'Bad Name',
          model: '',
          maxReplicas: 2,
          basePort: 8001,
          nodes: ['zz'],
          sim: { port: 1, bogus: 1 },
        },
        { name: 'p', model: 'x', basePort: 9100, nodes: [], replicas: 5 },
        { ...group },
        { ...group, basePort: 8102 },
      ],
    });
    expect(issues).toEqual(
      expect.arrayContaining([
        'scaleGroups[0].name: expected a DNS-style name',
        'scaleGroups[0].model: expected a model name',
        'scaleGroups[0].nodes[0]: no node named "zz" in nodes',
        'scaleGroups[0].sim.port: replicas take basePort + i; set basePort on the group',
        expect.stringMatching(/^scaleGroups\[0\]\.sim\.bogus: unknown setting/),
        'scaleGroups[1].maxReplicas: required: it bounds the ports the group takes',
        'scaleGroups[1].nodes: expected a non-empty list of node names',
        expect.stringMatching(/^scaleGroups\[1\]\.replicas: expected an integer 0–1/),
        'scaleGroups[3].name: duplicate scale group pool',
        'scaleGroups[3].basePort: port 8102 of group pool is also a replica port of group pool',
      ]),
    );
    expect(issues.some((i) => i.startsWith('scaleGroups[2]'))).toBe(false);
  });

  it('refuses a group port that an engine already has', () => {
    expect(issuesOf({ ...base, scaleGroups: [{ ...group, basePort: 8000 }] })).toEqual([
      'scaleGroups[0].basePort: port 8001 of group pool is also engine a/e',
    ]);
  });
});

describe('scale state file', () => {
  it('parses replica counts and refuses anything else', () => {
    expect(parseScaleState('{"replicas":{"pool":2}}', 'f')).toEqual(new Map([['pool', 2]]));
    expect(() => parseScaleState('nope', 'f')).toThrow(/not JSON/);
    expect(() => parseScaleState('{"x":1}', 'f')).toThrow(/no "replicas"/);
    expect(() => parseScaleState('{"replicas":{"pool":-1}}', 'f')).toThrow(/whole number/);
  });
});
