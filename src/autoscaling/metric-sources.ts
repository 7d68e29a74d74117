/**
 * A PodAutoscaler's metric sources in the form the controller reads them: each spec entry
 * (AIBrix's `metricSourceType` form, the `engine` source, or the seed's `{type: Prometheus}` form)
 * becomes one {@link ResolvedSource} with its target as a number, or a problem that names it.
 * Pure: the reading itself is an adapter's (src/autoscaling/adapters) or, for `engine`, the
 * agents' live windows (engine-signal.ts).
 */
import {
  ENGINE_METRIC_NAMES,
  type EngineMetricName,
  type MetricSource,
  type TypedMetricSource,
} from './pod-autoscaler.js';

/** The agents' live windows, aggregated over the target's engines. */
export interface EngineSource {
  readonly kind: 'engine';
  readonly name: string;
  readonly metric: EngineMetricName;
  readonly target: number;
}

/** GET each pod's endpoint and read `metric` from its Prometheus text (AIBrix's `pod`). */
export interface PodSource {
  readonly kind: 'pod';
  readonly name: string;
  readonly protocol: 'http' | 'https';
  readonly port: number;
  readonly path: string;
  readonly metric: string;
  readonly target: number;
}

/**
 * metrics.k8s.io as HPA reads it: cpu as utilization in percent of the pods' requests, memory as
 * the average MiB per pod (AIBrix's Utilization and AverageValue targets; resource-utilization.ts).
 */
export interface ResourceSource {
  readonly kind: 'resource';
  readonly name: string;
  readonly metric: 'cpu' | 'memory';
  readonly target: number;
}

/**
 * One HTTP endpoint (e.g. the GPU optimizer) answering JSON or Prometheus text. A metric named
 * `*replicas*` (the optimizer's `vllm:deployment_replicas`) is a replica count, used as is.
 */
export interface ExternalSource {
  readonly kind: 'external';
  readonly name: string;
  readonly url: string;
  readonly metric: string;
  readonly target: number;
  readonly isReplicaCount: boolean;
}

/** A PromQL instant query against the leader's configured Prometheus. */
export interface PrometheusSource {
  readonly kind: 'prometheus';
  readonly name: string;
  readonly query: string;
  readonly target: number;
}

/** A source ready to read. */
export type ResolvedSource =
  EngineSource | PodSource | ResourceSource | ExternalSource | PrometheusSource;

/** A source that is read over the network (everything but `engine`). */
export type RemoteSource = Exclude<ResolvedSource, EngineSource>;

/** The sources that could be resolved and a line for each that could not. */
export interface ResolvedSources {
  readonly sources: readonly ResolvedSource[];
  readonly problems: readonly string[];
}

const isPrometheusForm = (s: MetricSource): s is Extract<MetricSource, { type: 'Prometheus' }> =>
  (s as { type?: unknown }).type === 'Prometheus';

/** AIBrix's and vLLM's names for the engine metrics, accepted in an `engine` source. */
const ENGINE_ALIASES: Readonly<Record<string, EngineMetricName>> = {
  'vllm:num_requests_running': 'num_requests_running',
  'vllm:num_requests_waiting': 'num_requests_waiting',
  gpu_cache_usage_perc: 'kv_cache_usage',
  kv_cache_usage_perc: 'kv_cache_usage',
  'vllm:gpu_cache_usage_perc': 'kv_cache_usage',
  'vllm:kv_cache_usage_perc': 'kv_cache_usage',
};

function engineMetric(name: string): EngineMetricName | undefined {
  return (ENGINE_METRIC_NAMES as readonly string[]).includes(name)
    ? (name as EngineMetricName)
    : ENGINE_ALIASES[name];
}

function typed(s: TypedMetricSource, target: number): ResolvedSource | string {
  const metric = s.targetMetric;
  switch (s.metricSourceType) {
    case 'engine': {
      const m = engineMetric(metric);
      if (m === undefined) return `engine source: unknown metric ${metric}`;
      return { kind: 'engine', name: `engine:${m}`, metric: m, target };
    }
    case 'pod': {
      const port = Number(s.port);
      if (!Number.isInteger(port) || port < 1 || port > 65_535)
        return `pod source ${metric}: port ${s.port ?? '(none)'} is not a TCP port`;
      const path = s.path ?? '/metrics';
      return {
        kind: 'pod',
        name: `pod:${metric}`,
        protocol: s.protocolType ?? 'http',
        port,
        path: path.startsWith('/') ? path : `/${path}`,
        metric,
        target,
      };
    }
    case 'resource':
      if (metric !== 'cpu' && metric !== 'memory')
        return `resource source: ${metric} is neither cpu nor memory`;
      return { kind: 'resource', name: `resource:${metric}`, metric, target };
    case 'external': {
      if (s.endpoint === undefined || s.endpoint === '')
        return `external source ${metric}: no endpoint`;
      const path = s.path ?? '/';
      const url = `${s.protocolType ?? 'http'}://${s.endpoint}${path.startsWith('/') ? '' : '/'}${path}`;
      try {
        new URL(url);
      } catch {
        return `external source ${metric}: ${url} is not a URL`;
      }
      return {
        kind: 'external',
        name: `external:${metric}`,
        url,
        metric,
        target,
        isReplicaCount: metric.includes('replicas'),
      };
    }
    case 'custom':
    case 'domain':
      return `${s.metricSourceType} metric sources are not supported (use engine, pod, resource, external or Prometheus)`;
  }
}

/**
 * Resolves every source of a spec. A target that is not a positive number is a problem (a
 * division by it would scale to infinity or zero).
 */
export function resolveMetricSources(
  specSources: readonly MetricSource[],
  prometheusConfigured: boolean,
): ResolvedSources {
  const sources: ResolvedSource[] = [];
  const problems: string[] = [];
  for (const s of specSources) {
    const target = Number(s.targetValue);
    const label = isPrometheusForm(s) ? `Prometheus ${s.prometheus.query}` : s.targetMetric;
    if (!Number.isFinite(target) || target <= 0) {
      problems.push(`${label}: targetValue ${s.targetValue} is not a positive number`);
      continue;
    }
    if (isPrometheusForm(s)) {
      if (!prometheusConfigured)
        problems.push(`${label}: the leader has no autoscaling.prometheusUrl`);
      else
        sources.push({
          kind: 'prometheus',
          name: `prometheus:${s.prometheus.query}`,
          query: s.prometheus.query,
          target,
        });
      continue;
    }
    const resolved = typed(s, target);
    if (typeof resolved === 'string') problems.push(resolved);
    else sources.push(resolved);
  }
  return { sources, problems };
}
