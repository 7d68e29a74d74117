/**
 * Metrics of the Kubernetes adapters, registered once per process registry (STYLE.md §17).
 * Labels are bounded: one `informer` value per watched collection, fixed by configuration.
 */
import { Counter, Gauge, METRIC_PREFIX, type Registry } from '../shared/index.js';

/** The informer metrics. */
export interface KubeMetrics {
  /** `infernode_kube_informer_restarts_total{informer}`: restarts after an informer error. */
  readonly informerRestarts: Counter;
  /** `infernode_kube_informer_synced{informer}`: 1 once the informer has listed, else 0. */
  readonly informerSynced: Gauge;
}

const byRegistry = new WeakMap<Registry, KubeMetrics>();

/** The metrics in `registry`, created on first use (safe to call once per informer). */
export function kubeMetrics(registry: Registry): KubeMetrics {
  let metrics = byRegistry.get(registry);
  if (!metrics) {
    metrics = {
      informerRestarts: new Counter({
        name: `${METRIC_PREFIX}kube_informer_restarts_total`,
        help: 'Informer restarts after an error (watch or list failure), by informer.',
        labelNames: ['informer'],
        registers: [registry],
      }),
      informerSynced: new Gauge({
        name: `${METRIC_PREFIX}kube_informer_synced`,
        help: '1 once the informer has listed its collection, else 0.',
        labelNames: ['informer'],
        registers: [registry],
      }),
    };
    byRegistry.set(registry, metrics);
  }
  return metrics;
}
