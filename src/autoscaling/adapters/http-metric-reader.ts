/**
 * Reads the remote metric sources over HTTP, each request bounded by a timeout and the caller's
 * signal: `pod` (GET every pod's endpoint, parse its Prometheus text, average over the pods
 * that answered; partial failures are tolerated as in AIBrix, all failing is a failure),
 * `external` (one GET), `Prometheus` (GET <url>/api/v1/query?query=...), and `resource` through
 * the PodMetrics port (metrics.k8s.io, a Kubernetes adapter in src/kube): cpu utilization of the
 * requests in percent, memory per pod in MiB (resource-utilization.ts).
 */
import { AppError, linkedSignal, toError } from '../../shared/index.js';
import { externalValue, prometheusQueryValue, prometheusTextValue } from '../metric-answers.js';
import type { RemoteSource } from '../metric-sources.js';
import type { PodMetricsPort, ReadScope, RemoteMetricReader } from '../remote-metric-reader.js';
import { resourceMetricValue } from '../resource-utilization.js';

/** Options of {@link HttpMetricReader}. */
export interface HttpMetricReaderOptions {
  /** Base URL of the Prometheus HTTP API; undefined: Prometheus sources fail. */
  readonly prometheusUrl: string | undefined;
  /** Bound of each request, ms. */
  readonly timeoutMs: number;
  /** Largest body read, bytes. Default 4 MiB. */
  readonly maxBodyBytes?: number;
  readonly podMetrics?: PodMetricsPort;
}

const failed = (message: string, cause?: unknown): AppError =>
  new AppError('AUTOSCALING_METRIC_SOURCE_FAILED', message, { cause });

/** See the file comment. */
export class HttpMetricReader implements RemoteMetricReader {
  readonly #o: HttpMetricReaderOptions;

  constructor(options: HttpMetricReaderOptions) {
    this.#o = options;
  }

  async read(source: RemoteSource, scope: ReadScope): Promise<number> {
    switch (source.kind) {
      case 'prometheus': {
        if (this.#o.prometheusUrl === undefined) throw failed('no Prometheus URL is configured');
        const url = new URL('api/v1/query', this.#o.prometheusUrl.replace(/\/?$/, '/'));
        url.searchParams.set('query', source.query);
        const { body } = await this.#get(url.toString(), scope.signal);
        let parsed: unknown;
        try {
          parsed = JSON.parse(body);
        } catch {
          throw failed('Prometheus answered something that is not JSON');
        }
        return prometheusQueryValue(parsed);
      }
      case 'external': {
        const { body, contentType } = await this.#get(source.url, scope.signal);
        return externalValue(body, contentType, source.metric);
      }
      case 'pod': {
        if (scope.pods.length === 0) throw failed('the target has no pods to read');
        const results = await Promise.allSettled(
          scope.pods.map(async (pod) => {
            const host = new URL(pod.url).hostname;
            const url = `${source.protocol}://${host.includes(':') ? `[${host}]` : host}:${source.port}${source.path}`;
            return prometheusTextValue((await this.#get(url, scope.signal)).body, source.metric);
          }),
        );
        const values = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
        if (values.length === 0) {
          const first = results.find((r) => r.status === 'rejected');
          throw failed(`no pod answered: ${toError(first?.reason).message}`, first?.reason);
        }
        return values.reduce((a, v) => a + v, 0) / values.length;
      }
      case 'resource': {
        if (this.#o.podMetrics === undefined)
          throw failed('resource metrics need Kubernetes (metrics.k8s.io)');
        if (scope.selector === undefined)
          throw failed('the target has no selector (its scale subresource names none)');
        const link = linkedSignal([scope.signal], this.#o.timeoutMs);
        try {
          const samples = await this.#o.podMetrics.list(
            scope.namespace,
            scope.selector,
            link.signal,
          );
          return resourceMetricValue(samples, source.metric);
        } catch (err) {
          if (err instanceof AppError && err.code === 'AUTOSCALING_METRIC_SOURCE_FAILED') throw err;
          const why = link.timedOut ? `no answer in ${this.#o.timeoutMs} ms` : toError(err).message;
          throw failed(`metrics.k8s.io: ${why}`, err);
        } finally {
          link.dispose();
        }
      }
    }
  }

  async #get(url: string, signal: AbortSignal): Promise<{ body: string; contentType: string }> {
    const link = linkedSignal([signal], this.#o.timeoutMs);
    try {
      const res = await fetch(url, { signal: link.signal, headers: { accept: '*/*' } });
      const limit = this.#o.maxBodyBytes ?? 4 * 1024 * 1024;
      const length = Number(res.headers.get('content-length') ?? '0');
      if (length > limit) {
        await res.body?.cancel();
        throw failed(`${url} answered ${length} bytes (limit ${limit})`);
      }
      const body = await res.text();
      if (body.length > limit) throw failed(`${url} answered more than ${limit} bytes`);
      if (!res.ok) throw failed(`${url} answered ${res.status}: ${body.slice(0, 200)}`);
      return { body, contentType: res.headers.get('content-type') ?? '' };
    } catch (err) {
      if (err instanceof AppError) throw err;
      const why = link.timedOut ? `no answer in ${this.#o.timeoutMs} ms` : toError(err).message;
      throw failed(`GET ${url}: ${why}`, err);
    } finally {
      link.dispose();
    }
  }
}
