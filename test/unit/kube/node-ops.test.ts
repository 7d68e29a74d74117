import { describe, expect, it } from 'vitest';
import {
  GPU_UNHEALTHY_TAINT,
  InMemoryNodeOps,
  InMemoryScaleClient,
  scaleTargetOf,
  withCondition,
  withTaint,
  withoutTaint,
} from '../../../src/kube/index.js';

const other = { key: 'nvidia.com/gpu', effect: 'NoSchedule' as const };

describe('taint and condition edits', () => {
  it('withTaint adds, updates a changed value, and is undefined when present', () => {
    expect(withTaint([other], GPU_UNHEALTHY_TAINT)).toEqual([other, GPU_UNHEALTHY_TAINT]);
    expect(withTaint([other, GPU_UNHEALTHY_TAINT], GPU_UNHEALTHY_TAINT)).toBeUndefined();
    expect(withTaint([{ ...GPU_UNHEALTHY_TAINT, value: 'false' }], GPU_UNHEALTHY_TAINT)).toEqual([
      GPU_UNHEALTHY_TAINT,
    ]);
    expect(
      withTaint([{ ...GPU_UNHEALTHY_TAINT, effect: 'NoExecute' }], GPU_UNHEALTHY_TAINT),
    ).toHaveLength(2);
  });

  it('withoutTaint removes by key and effect only', () => {
    expect(withoutTaint([other, GPU_UNHEALTHY_TAINT], GPU_UNHEALTHY_TAINT)).toEqual([other]);
    expect(withoutTaint([other], GPU_UNHEALTHY_TAINT)).toBeUndefined();
  });

  it('withCondition moves lastTransitionTime only on a status change', () => {
    const up = { type: 'InfernodeGpuHealthy', status: 'True' as const, reason: 'Ok', message: '' };
    const first = withCondition([], up, 't1');
    expect(first).toMatchObject({
      changed: true,
      conditions: [{ lastTransitionTime: 't1', lastHeartbeatTime: 't1' }],
    });
    const again = withCondition(first.conditions, up, 't2');
    expect(again).toMatchObject({
      changed: false,
      conditions: [{ lastTransitionTime: 't1', lastHeartbeatTime: 't2' }],
    });
    const down = withCondition(again.conditions, { ...up, status: 'False' }, 't3');
    expect(down).toMatchObject({
      changed: true,
      conditions: [{ status: 'False', lastTransitionTime: 't3' }],
    });
  });
});

describe('in-memory adapters', () => {
  it('InMemoryNodeOps keeps state and records calls', async () => {
    const ops = new InMemoryNodeOps();
    expect(await ops.taintNode('n', GPU_UNHEALTHY_TAINT)).toBe(true);
    expect(await ops.taintNode('n', GPU_UNHEALTHY_TAINT)).toBe(false);
    expect(await ops.untaintNode('n', GPU_UNHEALTHY_TAINT)).toBe(true);
    await ops.recordEvent({
      involvedObject: { kind: 'Node', name: 'n' },
      reason: 'R',
      message: 'm',
      type: 'Normal',
    });
    expect(ops.calls.map((c) => c.op)).toEqual(['taint', 'taint', 'untaint', 'event']);
    expect(ops.taints.get('n')).toEqual([]);
  });

  it('InMemoryScaleClient and scaleTargetOf', async () => {
    const scale = new InMemoryScaleClient();
    const target = scaleTargetOf({ kind: 'Deployment', name: 'llama' }, 'ml');
    expect(target).toEqual({
      group: 'apps',
      version: 'v1',
      plural: 'deployments',
      namespace: 'ml',
      name: 'llama',
    });
    await expect(scale.getScale(target)).rejects.toMatchObject({ code: 'K8S_NOT_FOUND' });
    scale.define(target, { replicas: 1, statusReplicas: 1, selector: undefined });
    await scale.setReplicas(target, 4);
    expect((await scale.getScale(target)).replicas).toBe(4);
    expect(
      scaleTargetOf(
        { apiVersion: 'infernode.io/v1alpha1', kind: 'RayClusterFleet', name: 'f', namespace: 'x' },
        'ml',
      ).plural,
    ).toBe('rayclusterfleets');
    expect(() =>
      scaleTargetOf({ apiVersion: 'v1', kind: 'ReplicationController', name: 'r' }, 'ml'),
    ).toThrow(/core-group/);
  });
});
