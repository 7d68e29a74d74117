/** The KVCache controller's pure parts: plan nodes, one resource's share, the next status. */
import { describe, expect, it } from 'vitest';
import { kvCacheStatus, type KVCache, type KvCachePlan } from '../../../src/kvcache/index.js';
import {
  kvCacheKey,
  kvCachesOf,
  kvPlanNodes,
  nextKvCacheStatus,
  planForResource,
} from '../../../src/leader/kvcache-selection.js';

const kvcache = (name: string, annotations: Record<string, string> = {}): KVCache => ({
  apiVersion: 'infernode.io/v1alpha1',
  kind: 'KVCache',
  metadata: { name, namespace: 'ns', annotations, generation: 3 },
  spec: { cache: { resources: { limits: { memory: '1Gi' } } } },
});

describe('kvPlanNodes', () => {
  it('lists connected nodes with their engines and the GPU type from engine labels', () => {
    const nodes = kvPlanNodes(
      ['b', 'a', 'b'],
      [
        { id: 'a/1', model: 'm', node: 'a', labels: { 'nvidia.com/gpu.product': 'NVIDIA-L20' } },
        { id: 'a/2', model: 'x', node: 'a', labels: { 'infernode.io/gpu-type': 'L20' } },
        { id: 'c/1', model: 'm', node: 'c' },
      ],
    );
    expect(nodes).toEqual([
      {
        name: 'a',
        gpuType: 'NVIDIA-L20',
        engines: [
          { id: 'a/1', model: 'm' },
          { id: 'a/2', model: 'x' },
        ],
      },
      { name: 'b', engines: [] },
    ]);
  });
});

describe('planForResource', () => {
  const nodes = kvPlanNodes(
    ['a', 'b'],
    [
      { id: 'a/1', model: 'm', node: 'a', labels: { 'infernode.io/gpu-type': 'H100' } },
      { id: 'b/1', model: 'm', node: 'b' },
    ],
  );

  it('gives a resource only the nodes no earlier resource took, and says which', () => {
    const first = kvcache('a-first', { 'kvcache.infernode.io/gpu-type': 'H100' });
    const second = kvcache('b-second');
    const all = [second, first];
    expect(planForResource(first, all, nodes).nodes.map((n) => n.node)).toEqual(['a']);
    const plan = planForResource(second, all, nodes);
    expect(plan.nodes.map((n) => [n.node, n.args.resource, n.args.budgetBytes])).toEqual([
      ['b', 'ns/b-second', 1024 ** 3],
    ]);
    expect(plan.problems).toEqual(['node a already uses ns/a-first']);
  });

  it('keys and filters KVCache resources', () => {
    const other = { ...kvcache('x'), kind: 'ModelAdapter' };
    expect(kvCachesOf([other, kvcache('y')]).map(kvCacheKey)).toEqual(['ns/y']);
    expect(kvCacheKey({ ...kvcache('z'), metadata: { name: 'z' } })).toBe('default/z');
  });
});

describe('nextKvCacheStatus', () => {
  const plan: KvCachePlan = {
    nodes: [
      {
        node: 'a',
        args: { resource: 'ns/c', budgetBytes: 100, policy: 's3fifo', shared: true, engines: [] },
      },
    ],
    problems: [],
  };
  const report = { budgetBytes: 100, usedBytes: 40, blocks: 2, shared: true };
  const at = (iso: string, reported: boolean) =>
    kvCacheStatus(plan, () => (reported ? report : undefined), new Date(iso));

  it('writes usage and conditions, keeps transition times, and skips a write that changes nothing', () => {
    const first = nextKvCacheStatus({}, at('2026-01-01T00:00:00Z', false), [], 3);
    expect(first?.current).toBe(0);
    expect(first?.conditions?.map((c) => [c.type, c.status, c.observedGeneration])).toEqual([
      ['Ready', 'False', 3],
      ['ValidSpec', 'True', 3],
      ['Configured', 'True', 3],
    ]);
    // Later, same facts: nothing to write.
    expect(nextKvCacheStatus(first!, at('2026-01-01T00:01:00Z', false), [], 3)).toBeUndefined();
    // The node reports the planned store: Ready turns True at the new time; the others keep theirs.
    const ready = nextKvCacheStatus(first!, at('2026-01-01T00:02:00Z', true), [], 3)!;
    expect(ready.current).toBe(1);
    expect(ready.nodes).toEqual([{ node: 'a', ...report }]);
    const times = Object.fromEntries(ready.conditions!.map((c) => [c.type, c.lastTransitionTime]));
    expect(times).toEqual({
      Ready: '2026-01-01T00:02:00.000Z',
      ValidSpec: '2026-01-01T00:00:00.000Z',
      Configured: '2026-01-01T00:00:00.000Z',
    });
  });

  it('shows failed configures as Configured False with each node and code', () => {
    const failures = [{ node: 'a', code: 'COMMAND_TIMEOUT', message: 'no answer' }];
    const status = nextKvCacheStatus({}, at('2026-01-01T00:00:00Z', false), failures, undefined);
    const configured = status?.conditions?.find((c) => c.type === 'Configured');
    expect(configured).toMatchObject({
      status: 'False',
      reason: 'ConfigureFailed',
      message: 'a: COMMAND_TIMEOUT no answer',
    });
    expect(configured?.observedGeneration).toBeUndefined();
  });
});
