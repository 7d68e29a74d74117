/**
 * The `resource` metric source's value from metrics.k8s.io usage and the pods' requests, computed
 * as Kubernetes' HPA does (pkg/controller/podautoscaler/metrics: every container's usage and
 * request as a MilliValue, summed per pod; a pod that lacks the metric for a container is left
 * out; a pod with metrics but a container without a request is an error, not a guess):
 *
 * - `cpu`: utilization in percent of the requests, `int(Σ usage · 100 / Σ requests)` over the pods
 *   that have metrics (AIBrix maps a cpu source to an HPA Resource Utilization target).
 * - `memory`: the average usage per pod in MiB (AIBrix maps a memory source to an AverageValue
 *   target in MiB), HPA's `Σ usage / pods` in milli, integer, then to MiB.
 */
import { AppError } from '../shared/index.js';
import { milliValue, parseQuantity } from './resource-quantity.js';

/** One pod's usage (metrics.k8s.io PodMetrics) beside its spec's requests, as quantity strings. */
export interface PodResourceSample {
  /** `namespace/name`. */
  readonly pod: string;
  /** Per container: its usage (`usage.cpu`, `usage.memory`). */
  readonly usage: readonly {
    readonly container: string;
    readonly cpu?: string;
    readonly memory?: string;
  }[];
  /** Per container of the pod spec: its `resources.requests`. */
  readonly requests: readonly {
    readonly container: string;
    readonly cpu?: string;
    readonly memory?: string;
  }[];
}

const failed = (message: string): AppError =>
  new AppError('AUTOSCALING_METRIC_SOURCE_FAILED', message);

/** Σ usage of a pod in milli; undefined when a container lacks the metric (HPA skips the pod). */
function podUsageMilli(sample: PodResourceSample, metric: 'cpu' | 'memory'): number | undefined {
  let sum = 0;
  for (const c of sample.usage) {
    const q = c[metric];
    if (q === undefined) return undefined;
    sum += milliValue(parseQuantity(q));
  }
  return sample.usage.length === 0 ? undefined : sum;
}

function podRequestMilli(sample: PodResourceSample, metric: 'cpu' | 'memory'): number {
  let sum = 0;
  for (const c of sample.requests) {
    const q = c[metric];
    if (q === undefined)
      throw failed(
        `missing request for ${metric} in container ${c.container} of pod ${sample.pod}`,
      );
    sum += milliValue(parseQuantity(q));
  }
  if (sample.requests.length === 0) throw failed(`pod ${sample.pod} has no containers`);
  return sum;
}

const MIB_MILLI = 1024 * 1024 * 1000;

/**
 * The source's value over the target's pods (see the file comment). Throws
 * AUTOSCALING_METRIC_SOURCE_FAILED when no pod has metrics or a cpu request is missing, so the
 * PodAutoscaler reports the condition instead of scaling on a made-up number.
 */
export function resourceMetricValue(
  samples: readonly PodResourceSample[],
  metric: 'cpu' | 'memory',
): number {
  let usageTotal = 0;
  let requestTotal = 0;
  let pods = 0;
  for (const sample of samples) {
    const usage = podUsageMilli(sample, metric);
    if (usage === undefined) continue;
    if (metric === 'cpu') requestTotal += podRequestMilli(sample, metric);
    usageTotal += usage;
    pods++;
  }
  if (pods === 0) throw failed(`no pod of the target has ${metric} metrics`);
  if (metric === 'memory') return Math.trunc(usageTotal / pods) / MIB_MILLI;
  if (requestTotal === 0) throw failed('the pods request no cpu');
  return Math.trunc((usageTotal * 100) / requestTotal);
}
