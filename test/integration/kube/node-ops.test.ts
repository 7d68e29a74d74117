import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { GPU_HEALTHY_CONDITION, GPU_UNHEALTHY_TAINT } from '../../../src/kube/index.js';
import {
  createKubeClients,
  K8sNodeOps,
  PodLabeler,
  ROLE_LABEL,
} from '../../../src/kube/adapters/index.js';
import { systemClock } from '../../../src/shared/index.js';
import { FakeKubeApiServer } from '../../helpers/kube-api-server.js';
import { aNode, aPod } from '../../helpers/kube-builders.js';

describe('K8sNodeOps and PodLabeler on the fake API server', () => {
  let server: FakeKubeApiServer;
  let ops: K8sNodeOps;

  beforeEach(async () => {
    server = await FakeKubeApiServer.start();
    ops = new K8sNodeOps({
      clients: createKubeClients(server.kubeConfig()),
      requestTimeoutMs: 5000,
      component: 'infernode-agent',
      instance: 'gpu-1',
      clock: systemClock,
    });
    server.put(aNode('gpu-1', [{ key: 'nvidia.com/gpu', value: 'present', effect: 'NoSchedule' }]));
  });

  afterEach(async () => {
    await server.close();
  });

  const node = () => server.get('v1', 'Node', undefined, 'gpu-1')!;
  const taints = () => (node().spec as { taints?: unknown[] }).taints;

  it('taints idempotently, keeping the taints others set', async () => {
    expect(await ops.taintNode('gpu-1', GPU_UNHEALTHY_TAINT, {})).toBe(true);
    const rv = node().metadata.resourceVersion;
    expect(await ops.taintNode('gpu-1', GPU_UNHEALTHY_TAINT, {})).toBe(false);
    expect(node().metadata.resourceVersion).toBe(rv);
    expect(taints()).toEqual([
      { key: 'nvidia.com/gpu', value: 'present', effect: 'NoSchedule' },
      { key: 'infernode.io/gpu-unhealthy', value: 'true', effect: 'NoSchedule' },
    ]);
  });

  it('untaints, leaving other taints, and is a no-op when already clean', async () => {
    await ops.taintNode('gpu-1', GPU_UNHEALTHY_TAINT, {});
    expect(await ops.untaintNode('gpu-1', GPU_UNHEALTHY_TAINT, {})).toBe(true);
    expect(await ops.untaintNode('gpu-1', GPU_UNHEALTHY_TAINT, {})).toBe(false);
    expect(taints()).toEqual([{ key: 'nvidia.com/gpu', value: 'present', effect: 'NoSchedule' }]);
  });

  it('fails with K8S_NOT_FOUND for an unknown node', async () => {
    await expect(ops.taintNode('nope', GPU_UNHEALTHY_TAINT, {})).rejects.toMatchObject({
      code: 'K8S_NOT_FOUND',
    });
  });

  it('sets the InfernodeGpuHealthy condition through the status subresource', async () => {
    const set = (status: 'True' | 'False') =>
      ops.setNodeCondition(
        'gpu-1',
        {
          type: GPU_HEALTHY_CONDITION,
          status,
          reason: status === 'True' ? 'GpusHealthy' : 'GpuXid79',
          message: 'x',
        },
        {},
      );
    expect(await set('False')).toBe(true);
    expect(await set('False')).toBe(false);
    const conditions = (
      node().status as {
        conditions: { type: string; status: string; reason: string; lastTransitionTime?: string }[];
      }
    ).conditions;
    expect(conditions.map((c) => c.type)).toEqual(['Ready', GPU_HEALTHY_CONDITION]);
    expect(conditions[1]).toMatchObject({ status: 'False', reason: 'GpuXid79' });
    expect(conditions[1]!.lastTransitionTime).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(await set('True')).toBe(true);
    expect((node().status as { conditions: { status: string }[] }).conditions[1]!.status).toBe(
      'True',
    );
  });

  it('records an Event and counts repeats of it', async () => {
    const event = {
      involvedObject: { kind: 'Node', name: 'gpu-1' },
      reason: 'GpuXidError',
      message: 'GPU 0 (00000000:1B:00.0) Xid 79: fallen off the bus',
      type: 'Warning' as const,
    };
    await ops.recordEvent(event, {});
    await ops.recordEvent(event, {});
    const events = server.list('v1', 'Event', 'default');
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      involvedObject: { kind: 'Node', name: 'gpu-1' },
      reason: 'GpuXidError',
      type: 'Warning',
      count: 2,
      source: { component: 'infernode-agent', host: 'gpu-1' },
    });
  });

  it('PodLabeler moves the leader label to the new leader, the old one and a stepping-down one follower', async () => {
    server.put(aPod('leader-a', 'infernode').withLabel(ROLE_LABEL, 'leader').build());
    server.put(aPod('leader-b', 'infernode').build());
    const labeler = (pod: string) =>
      new PodLabeler({
        clients: createKubeClients(server.kubeConfig()),
        namespace: 'infernode',
        podName: pod,
        requestTimeoutMs: 5000,
      });
    const labels = (pod: string) =>
      server.get('v1', 'Pod', 'infernode', pod)!.metadata.labels ?? {};
    await labeler('leader-b').markLeader({});
    expect(labels('leader-a')[ROLE_LABEL]).toBe('follower');
    expect(labels('leader-b')[ROLE_LABEL]).toBe('leader');
    expect(await labeler('leader-b').labelledLeaders({})).toEqual(['leader-b']);
    await labeler('leader-b').markFollower({});
    expect(labels('leader-b')[ROLE_LABEL]).toBe('follower');
    expect(await labeler('leader-b').labelledLeaders({})).toEqual([]);
  });
});
