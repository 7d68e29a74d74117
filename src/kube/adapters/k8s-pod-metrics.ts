/**
 * The `resource` metric source on Kubernetes: the PodMetrics of a target's pods from
 * metrics.k8s.io (`GET /apis/metrics.k8s.io/v1beta1/namespaces/{ns}/pods?labelSelector=…`, served
 * by metrics-server), each joined with its pod's container requests from the same selector's pod
 * list, as HPA joins them. Pods being deleted or finished are left out, as HPA leaves them out.
 * Both lists are bounded (`limit`); more pods than that is an error rather than a partial answer.
 */
import type { PodMetricsPort, PodResourceSample } from '../../autoscaling/index.js';
import { AppError } from '../../shared/index.js';
import type { KubeClients } from './clients.js';
import { kubeCall } from './request.js';

/** Options of {@link K8sPodMetrics}. */
export interface K8sPodMetricsOptions {
  readonly clients: KubeClients;
  /** Bound of each request in ms (`kube.requestTimeoutMs`). */
  readonly requestTimeoutMs: number;
  /** Most pods one read takes. Default 1000. */
  readonly maxPods?: number;
}

interface Resources {
  readonly cpu?: string;
  readonly memory?: string;
}

/** metrics.k8s.io/v1beta1 PodMetricsList, the fields read. */
interface PodMetricsList {
  readonly metadata?: { readonly continue?: string };
  readonly items?: readonly {
    readonly metadata?: { readonly name?: string };
    readonly containers?: readonly { readonly name?: string; readonly usage?: Resources }[];
  }[];
}

const pick = (r: Resources | undefined): Resources => ({
  ...(typeof r?.cpu === 'string' ? { cpu: r.cpu } : {}),
  ...(typeof r?.memory === 'string' ? { memory: r.memory } : {}),
});

/** See the file comment. */
export class K8sPodMetrics implements PodMetricsPort {
  readonly #o: K8sPodMetricsOptions;

  constructor(options: K8sPodMetricsOptions) {
    this.#o = options;
  }

  async list(
    namespace: string,
    selector: string | undefined,
    signal: AbortSignal,
  ): Promise<readonly PodResourceSample[]> {
    const limit = this.#o.maxPods ?? 1000;
    const settings = { signal, timeoutMs: this.#o.requestTimeoutMs };
    const query = {
      namespace,
      limit,
      ...(selector !== undefined ? { labelSelector: selector } : {}),
    };
    const [metrics, pods] = await Promise.all([
      kubeCall(`list PodMetrics in ${namespace}`, settings, (o) =>
        this.#o.clients.custom.listNamespacedCustomObject(
          { group: 'metrics.k8s.io', version: 'v1beta1', plural: 'pods', ...query },
          o,
        ),
      ) as Promise<PodMetricsList>,
      kubeCall(`list pods in ${namespace}`, settings, (o) =>
        this.#o.clients.core.listNamespacedPod(query, o),
      ),
    ]);
    if ((metrics.metadata?.continue ?? '') !== '' || (pods.metadata?._continue ?? '') !== '')
      throw new AppError(
        'AUTOSCALING_METRIC_SOURCE_FAILED',
        `the target has more than ${limit} pods in ${namespace}`,
      );
    const requests = new Map<string, PodResourceSample['requests']>();
    for (const pod of pods.items) {
      const name = pod.metadata?.name;
      const phase = pod.status?.phase;
      if (name === undefined || pod.metadata?.deletionTimestamp !== undefined) continue;
      if (phase === 'Failed' || phase === 'Succeeded') continue;
      requests.set(
        name,
        (pod.spec?.containers ?? []).map((c) => ({
          container: c.name,
          ...pick(c.resources?.requests as Resources | undefined),
        })),
      );
    }
    const samples: PodResourceSample[] = [];
    for (const item of metrics.items ?? []) {
      const name = item.metadata?.name;
      const podRequests = name === undefined ? undefined : requests.get(name);
      if (name === undefined || podRequests === undefined) continue;
      samples.push({
        pod: `${namespace}/${name}`,
        usage: (item.containers ?? []).map((c) => ({
          container: c.name ?? '',
          ...pick(c.usage),
        })),
        requests: podRequests,
      });
    }
    return samples;
  }
}
