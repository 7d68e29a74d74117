/**
 * The leader's PodAutoscaling parts wired to a (fake) Kubernetes API the way the leader wires
 * them: real scale client, status store and Event recorder, quick sampling and backoff for
 * tests, no command client (none of these tests uses a prefetch annotation). Started on `signal`.
 */
import type { PodAutoscalerStatus } from '../../src/autoscaling/index.js';
import { CorrelatingEventRecorder, systemTimers } from '../../src/controllers/index.js';
import type { ClusterView } from '../../src/discovery/index.js';
import {
  K8sNodeOps,
  K8sResourceStatusStore,
  K8sScaleClient,
  type KubeClients,
} from '../../src/kube/adapters/index.js';
import type { ClusterStateStore } from '../../src/leader/index.js';
import { PodAutoscaling } from '../../src/leader/autoscaling-wiring.js';
import {
  SeededRng,
  createRegistry,
  silentLogger,
  systemClock,
  type Registry,
} from '../../src/shared/index.js';

/** What differs between the tests that start the parts. */
export interface KubePodAutoscalingOptions {
  readonly clients: KubeClients;
  readonly view: () => ClusterView;
  readonly store: ClusterStateStore;
  readonly namespace: string;
  readonly signal: AbortSignal;
  readonly registry?: Registry;
  /** Extra constructor options (e.g. `podMetrics`). */
  readonly extra?: Partial<ConstructorParameters<typeof PodAutoscaling>[0]>;
}

/** See the file comment. */
export function startKubePodAutoscaling(o: KubePodAutoscalingOptions): PodAutoscaling {
  const { clients } = o;
  const log = silentLogger();
  const nodeOps = new K8sNodeOps({
    clients,
    requestTimeoutMs: 5000,
    component: 'infernode-leader',
    instance: 'test',
    clock: systemClock,
  });
  const parts = new PodAutoscaling({
    config: {
      prometheusUrl: '',
      sampleIntervalMs: 50,
      metricTimeoutMs: 5000,
      resyncIntervalMs: 200,
    },
    source: { current: o.view, onChange: () => () => undefined },
    store: o.store,
    commands: { send: () => Promise.reject(new Error('no command expected')) },
    scale: new K8sScaleClient({ clients, requestTimeoutMs: 5000 }),
    statuses: new K8sResourceStatusStore<PodAutoscalerStatus>({
      clients,
      plural: 'podautoscalers',
      requestTimeoutMs: 5000,
    }),
    events: new CorrelatingEventRecorder({
      sink: (event, options) => nodeOps.recordEvent(event, options),
      clock: systemClock,
      log,
    }),
    namespaced: true,
    defaultNamespace: o.namespace,
    log,
    registry: o.registry ?? createRegistry({ defaultMetrics: false }),
    clock: systemClock,
    rng: new SeededRng(1),
    timers: systemTimers,
    settings: { backoff: { initialMs: 50, maxMs: 200, factor: 2 } },
    ...o.extra,
  });
  void parts.run(o.signal);
  return parts;
}
