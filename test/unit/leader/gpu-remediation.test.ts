import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { ClusterStateStore } from '../../../src/leader/index.js';
import { GpuRemediation } from '../../../src/leader/gpu-remediation.js';
import { planNodeRemediation } from '../../../src/leader/gpu-remediation-plan.js';
import { InMemoryNodeOps } from '../../../src/kube/index.js';
import { CorrelatingEventRecorder, systemTimers } from '../../../src/controllers/index.js';
import { SeededRng, createRegistry, silentLogger } from '../../../src/shared/index.js';
import { ManualClock } from '../../helpers/manual-clock.js';
import { waitFor } from '../../helpers/wait-for.js';

const gpu = (index: number, health: 'healthy' | 'degraded' | 'failed', reasons: string[] = []) => ({
  index,
  uuid: `g${index}`,
  health,
  reasons,
});

describe('planNodeRemediation', () => {
  it.each([
    [[gpu(0, 'healthy'), gpu(1, 'healthy')], false, /all 2 GPUs healthy/],
    [[gpu(0, 'degraded', ['pcie x8 < x16'])], false, /degraded: GPU 0 \(pcie x8 < x16\)/],
    [[gpu(0, 'healthy'), gpu(1, 'failed', ['xid 79'])], true, /failed: GPU 1 \(xid 79\)/],
  ])('%j → tainted %s', (gpus, tainted, message) => {
    const plan = planNodeRemediation('n', gpus);
    expect(plan.tainted).toBe(tainted);
    expect(plan.message).toMatch(message);
  });
});

/** GPU remediation on its reconcile host, with real timers, Events going to `ops`. */
function remediationOn(
  store: ClusterStateStore,
  ops: InMemoryNodeOps,
  drainEndpoint: (id: string) => number = () => 0,
): GpuRemediation {
  const clock = new ManualClock();
  return new GpuRemediation({
    store,
    nodeOps: ops,
    events: new CorrelatingEventRecorder({
      sink: (event) => ops.recordEvent(event),
      clock,
      log: silentLogger(),
    }),
    log: silentLogger(),
    registry: createRegistry({ defaultMetrics: false }),
    clock,
    rng: new SeededRng(1),
    timers: systemTimers,
    drainEndpoint,
    drainTimeoutMs: 1000,
  });
}

describe('GpuRemediation', () => {
  it('taints, drains and writes an Event on failure; untaints on recovery', async () => {
    const store = new ClusterStateStore({ clock: new ManualClock() });
    store.setDiscovery({
      endpoints: [
        {
          id: 'a/e1',
          name: 'a-e1',
          model: 'm',
          url: 'http://x',
          node: 'a',
          engine: 'vllm',
          gpuIndices: [1],
          ready: true,
        },
      ],
      resources: [],
    });
    const ops = new InMemoryNodeOps();
    const drained: string[] = [];
    const remediation = remediationOn(store, ops, (id) => (drained.push(id), 1));
    const abort = new AbortController();
    const running = remediation.run(abort.signal);
    store.applySnapshot('a', 't', {
      engines: [{ id: 'a/e1', model: 'm', url: 'http://x', ready: true, adapters: [] }],
      gpus: [gpu(1, 'healthy')],
    });
    await waitFor(() => ops.conditions.get('a')?.[0]?.status === 'True', 'condition True');
    store.applyDelta('a', {
      v: 1,
      type: 'state',
      seq: 2,
      gpus: [gpu(1, 'failed', ['xid 79'])],
      urgent: true,
    });
    await waitFor(
      () => (ops.taints.get('a') ?? []).some((t) => t.key === 'infernode.io/gpu-unhealthy'),
      'tainted',
    );
    expect(drained).toEqual(['a/e1']);
    expect(
      ops.calls.some(
        (c) => c.op === 'event' && c.event.reason === 'GpuFailed' && c.event.type === 'Warning',
      ),
    ).toBe(true);
    store.applyDelta('a', { v: 1, type: 'state', seq: 3, gpus: [gpu(1, 'healthy')] });
    await waitFor(() => (ops.taints.get('a') ?? []).length === 0, 'untainted');
    await waitFor(
      () => ops.calls.some((c) => c.op === 'event' && c.event.reason === 'GpuRecovered'),
      'recovery event',
    );
    abort.abort();
    await running;
  });
});

describe('GpuRemediation on the reconcile host', () => {
  it('adds no abort listener to the run signal per wake-up (issue 10)', async () => {
    const store = new ClusterStateStore({ clock: new ManualClock() });
    const ops = new InMemoryNodeOps();
    const remediation = remediationOn(store, ops);
    const abort = new AbortController();
    const running = remediation.run(abort.signal);
    store.applySnapshot('a', 't', { engines: [], gpus: [gpu(0, 'healthy')] });
    await waitFor(() => ops.conditions.get('a')?.[0]?.status === 'True', 'condition True');
    const before = getEventListeners(abort.signal, 'abort').length;
    for (let seq = 2; seq < 202; seq++) {
      // Each delta wakes the idle worker once; the reconcile is a no-op (nothing changed).
      store.applyDelta('a', { v: 1, type: 'state', seq, gpus: [gpu(0, 'healthy')] });
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(getEventListeners(abort.signal, 'abort').length).toBe(before);
    expect(before).toBeLessThanOrEqual(1);
    abort.abort();
    await running;
    expect(getEventListeners(abort.signal, 'abort')).toHaveLength(0);
  });

  it('retries a failed taint until it succeeds', async () => {
    const store = new ClusterStateStore({ clock: new ManualClock() });
    const ops = new InMemoryNodeOps();
    let failuresLeft = 1;
    const taintNode = ops.taintNode.bind(ops);
    ops.taintNode = (node, taint) =>
      failuresLeft-- > 0 ? Promise.reject(new Error('API down')) : taintNode(node, taint);
    const clock = new ManualClock();
    const remediation = new GpuRemediation({
      store,
      nodeOps: ops,
      events: new CorrelatingEventRecorder({
        sink: () => Promise.resolve(),
        clock,
        log: silentLogger(),
      }),
      log: silentLogger(),
      registry: createRegistry({ defaultMetrics: false }),
      clock,
      rng: new SeededRng(1),
      timers: systemTimers,
      drainEndpoint: () => 0,
      drainTimeoutMs: 1000,
      settings: { backoff: { initialMs: 10, maxMs: 20, factor: 2 } },
    });
    const abort = new AbortController();
    const running = remediation.run(abort.signal);
    store.applySnapshot('a', 't', { engines: [], gpus: [gpu(0, 'failed', ['xid 79'])] });
    await waitFor(() => (ops.taints.get('a') ?? []).length === 1, 'tainted after a retry');
    expect(failuresLeft).toBe(-1);
    abort.abort();
    await running;
  });
});
