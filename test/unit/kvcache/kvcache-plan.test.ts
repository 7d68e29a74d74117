/** The KVCache → per-node `kv.configure` map: each field's effect, defaults, problems, overlaps. */
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_KV_BUDGET_BYTES,
  kvCacheStatus,
  pendingConfigures,
  parseQuantity,
  planKvCache,
  planKvCaches,
  type KVCache,
  type KvPlanNode,
} from '../../../src/kvcache/index.js';

const kvcache = (
  name: string,
  spec: KVCache['spec'] = {},
  annotations: Record<string, string> = {},
): KVCache => ({
  apiVersion: 'infernode.io/v1alpha1',
  kind: 'KVCache',
  metadata: { name, namespace: 'ns', annotations },
  spec,
});

const nodes: KvPlanNode[] = [
  {
    name: 'b',
    engines: [
      { id: 'b/2', model: 'm' },
      { id: 'b/1', model: 'm' },
    ],
  },
  { name: 'a', gpuType: 'H100', engines: [{ id: 'a/1', model: 'other' }] },
];

describe('planKvCache', () => {
  it('defaults: every node and engine, 10 GB, S3-FIFO, shared', () => {
    const plan = planKvCache(kvcache('c'), nodes);
    expect(plan.problems).toEqual([]);
    expect(plan.nodes.map((n) => [n.node, n.args.engines])).toEqual([
      ['a', ['a/1']],
      ['b', ['b/1', 'b/2']],
    ]);
    expect(plan.nodes[0]?.args).toMatchObject({
      resource: 'ns/c',
      budgetBytes: DEFAULT_KV_BUDGET_BYTES,
      policy: 's3fifo',
      shared: true,
    });
  });

  it('reads the policy from the annotation or AIBrix’s env, and sharing from its annotation', () => {
    const lru = planKvCache(
      kvcache('c', {
        cache: { env: [{ name: 'AIBRIX_KV_CACHE_OL_L1_CACHE_EVICTION_POLICY', value: 'LRU' }] },
      }),
      nodes,
    );
    expect(lru.nodes[0]?.args.policy).toBe('lru');
    const local = planKvCache(
      kvcache(
        'c',
        {},
        {
          'kvcache.infernode.io/eviction-policy': 'S3FIFO',
          'kvcache.infernode.io/share-across-nodes': 'false',
        },
      ),
      nodes,
    );
    expect(local.nodes[0]?.args).toMatchObject({ policy: 's3fifo', shared: false });
  });

  it('reports what it cannot honour and falls back', () => {
    const plan = planKvCache(
      kvcache(
        'c',
        { cache: { resources: { limits: { memory: 'lots' } } } },
        {
          'kvcache.infernode.io/eviction-policy': 'FIFO',
          'kvcache.infernode.io/share-across-nodes': 'maybe',
        },
      ),
      nodes,
    );
    expect(plan.problems).toHaveLength(3);
    expect(plan.nodes[0]?.args).toMatchObject({
      budgetBytes: DEFAULT_KV_BUDGET_BYTES,
      policy: 's3fifo',
      shared: true,
    });
  });

  it('selects nodes by GPU type and engines by workload', () => {
    const plan = planKvCache(
      kvcache(
        'c',
        {},
        { 'kvcache.infernode.io/gpu-type': 'H100', 'kvcache.infernode.io/workload': 'm' },
      ),
      nodes,
    );
    expect(plan.nodes).toEqual([
      expect.objectContaining({ node: 'a', args: expect.objectContaining({ engines: [] }) }),
    ]);
  });

  it('several resources: a node takes the first by name and the overlap is reported', () => {
    const plan = planKvCaches(
      [
        kvcache('z', { cache: { resources: { requests: { memory: '1Gi' } } } }),
        kvcache('a', { cache: { resources: { requests: { memory: '2G' } } } }),
      ],
      nodes,
    );
    expect(plan.nodes.map((n) => n.args.budgetBytes)).toEqual([2e9, 2e9]);
    expect(plan.problems).toEqual([
      'ns/z: node a already uses ns/a',
      'ns/z: node b already uses ns/a',
    ]);
  });
});

describe('parseQuantity', () => {
  it('reads binary and decimal suffixes and exponents; refuses the rest', () => {
    expect(parseQuantity('4Gi')).toBe(4 * 2 ** 30);
    expect(parseQuantity('512M')).toBe(512e6);
    expect(parseQuantity('1e9')).toBe(1e9);
    expect(parseQuantity('1.5Ki')).toBe(1536);
    expect(parseQuantity(1024)).toBe(1024);
    expect(parseQuantity('4 GB')).toBeUndefined();
    expect(parseQuantity('-1')).toBeUndefined();
  });
});

describe('kvCacheStatus and pendingConfigures', () => {
  const plan = planKvCache(
    kvcache('c', { cache: { resources: { limits: { memory: '1Mi' } } } }),
    nodes,
  );
  const now = new Date('2026-01-01T00:00:00Z');

  it('counts nodes whose store runs the plan and lists each reporting node’s usage', () => {
    const status = kvCacheStatus(
      plan,
      (node) =>
        node === 'a'
          ? {
              budgetBytes: 2 ** 20,
              usedBytes: 512,
              blocks: 2,
              shared: true,
              lmcacheUrl: 'lm://10.0.0.1:8100',
            }
          : node === 'b'
            ? { budgetBytes: 2 ** 30, usedBytes: 0, blocks: 0, shared: true }
            : undefined,
      now,
    );
    expect(status.current).toBe(1);
    expect(status.nodes).toEqual([
      {
        node: 'a',
        budgetBytes: 2 ** 20,
        usedBytes: 512,
        blocks: 2,
        shared: true,
        lmcacheUrl: 'lm://10.0.0.1:8100',
      },
      { node: 'b', budgetBytes: 2 ** 30, usedBytes: 0, blocks: 0, shared: true },
    ]);
    expect(status.conditions[0]).toMatchObject({
      type: 'Ready',
      status: 'False',
      reason: 'Applying',
    });
  });

  it('a node needs a configure until it accepted exactly the planned args', () => {
    expect(pendingConfigures(plan, () => undefined).map((n) => n.node)).toEqual(['a', 'b']);
    const a = plan.nodes[0]!.args;
    expect(
      pendingConfigures(plan, (node) => (node === 'a' ? a : { ...a, engines: [] })).map(
        (n) => n.node,
      ),
    ).toEqual(['b']);
  });
});
