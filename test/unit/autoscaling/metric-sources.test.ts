/** Metric sources: resolution of the spec forms, selector strings, and the remote answers. */
import { describe, expect, it } from 'vitest';
import {
  conflictsByKey,
  externalValue,
  nextStatus,
  parseLabelSelectorString,
  prefetchNodes,
  prometheusQueryValue,
  prometheusTextValue,
  resolveMetricSources,
  SampleWindow,
  type MetricSource,
} from '../../../src/autoscaling/index.js';

describe('resolveMetricSources', () => {
  it("resolves the seed's Prometheus form, engine (with AIBrix aliases), pod and external", () => {
    const sources: MetricSource[] = [
      {
        type: 'Prometheus',
        prometheus: { query: 'avg(vllm:num_requests_running)' },
        targetValue: '8',
      },
      { metricSourceType: 'engine', targetMetric: 'gpu_cache_usage_perc', targetValue: '0.5' },
      {
        metricSourceType: 'pod',
        protocolType: 'http',
        port: '8000',
        path: 'metrics',
        targetMetric: 'm',
        targetValue: '2',
      },
      {
        metricSourceType: 'external',
        protocolType: 'http',
        endpoint: 'opt:8080',
        path: '/metrics/ns/llama',
        targetMetric: 'vllm:deployment_replicas',
        targetValue: '1',
      },
    ];
    const { sources: out, problems } = resolveMetricSources(sources, true);
    expect(problems).toEqual([]);
    expect(out).toEqual([
      {
        kind: 'prometheus',
        name: 'prometheus:avg(vllm:num_requests_running)',
        query: 'avg(vllm:num_requests_running)',
        target: 8,
      },
      { kind: 'engine', name: 'engine:kv_cache_usage', metric: 'kv_cache_usage', target: 0.5 },
      {
        kind: 'pod',
        name: 'pod:m',
        protocol: 'http',
        port: 8000,
        path: '/metrics',
        metric: 'm',
        target: 2,
      },
      {
        kind: 'external',
        name: 'external:vllm:deployment_replicas',
        url: 'http://opt:8080/metrics/ns/llama',
        metric: 'vllm:deployment_replicas',
        target: 1,
        isReplicaCount: true,
      },
    ]);
  });

  it('names each source it cannot use', () => {
    const { sources, problems } = resolveMetricSources(
      [
        { type: 'Prometheus', prometheus: { query: 'up' }, targetValue: '1' },
        { metricSourceType: 'engine', targetMetric: 'num_requests_running', targetValue: '0' },
        { metricSourceType: 'custom', targetMetric: 'x', targetValue: '1' },
      ],
      false,
    );
    expect(sources).toEqual([]);
    expect(problems).toEqual([
      'Prometheus up: the leader has no autoscaling.prometheusUrl',
      'num_requests_running: targetValue 0 is not a positive number',
      'custom metric sources are not supported (use engine, pod, resource, external or Prometheus)',
    ]);
  });
});

describe('parseLabelSelectorString', () => {
  it.each([
    ['app=llama', { app: 'llama' }, true],
    ['app=llama', { app: 'other' }, false],
    ['app==llama,tier!=canary', { app: 'llama', tier: 'canary' }, false],
    ['app in (a, b),!canary', { app: 'b' }, true],
    ['app in (a, b),!canary', { app: 'b', canary: 'y' }, false],
    ['app notin (a),gpu', { app: 'c', gpu: 'h100' }, true],
    ['', { any: 'x' }, true],
    ['app=(broken', { app: '(broken' }, false],
  ])('%s on %j → %s', (selector, labels, expected) => {
    expect(parseLabelSelectorString(selector)(labels)).toBe(expected);
  });
});

describe('remote answers', () => {
  it('reads an instant query: one sample, several averaged, a scalar; fails on nothing', () => {
    const vector = (...vs: string[]): unknown => ({
      status: 'success',
      data: { resultType: 'vector', result: vs.map((v) => ({ metric: {}, value: [1, v] })) },
    });
    expect(prometheusQueryValue(vector('7.5'))).toBe(7.5);
    expect(prometheusQueryValue(vector('2', '4'))).toBe(3);
    expect(
      prometheusQueryValue({ status: 'success', data: { resultType: 'scalar', result: [1, '3'] } }),
    ).toBe(3);
    expect(() => prometheusQueryValue(vector())).toThrow(/no series/);
    expect(() => prometheusQueryValue({ status: 'error', error: 'parse error' })).toThrow(
      /parse error/,
    );
    expect(() => prometheusQueryValue(vector('NaN'))).toThrow(/not a number/);
  });

  it('reads Prometheus text and the external endpoint forms', () => {
    const text =
      '# HELP x\nvllm:num_requests_running{model_name="m"} 3\nvllm:num_requests_running{model_name="n"} 5\n';
    expect(prometheusTextValue(text, 'vllm:num_requests_running')).toBe(4);
    expect(() => prometheusTextValue(text, 'missing')).toThrow(/no sample named missing/);
    expect(externalValue('6', 'application/json', 'r')).toBe(6);
    expect(externalValue('{"r": "4"}', 'application/json', 'r')).toBe(4);
    expect(externalValue('{"value": 2}', '', 'r')).toBe(2);
    expect(
      externalValue(
        'vllm:deployment_replicas{model_name="m"} 3\n',
        'text/plain',
        'vllm:deployment_replicas',
      ),
    ).toBe(3);
    expect(() => externalValue('{"other": 1}', 'application/json', 'r')).toThrow(/no number/);
  });
});

describe('conflicts, status, prefetch, windows', () => {
  it('two PodAutoscalers on one target conflict, each naming the other', () => {
    const c = conflictsByKey(
      new Map([
        ['ns/a', 't1'],
        ['ns/b', 't1'],
        ['ns/c', 't2'],
      ]),
    );
    expect(c.get('ns/a')).toEqual(['ns/b']);
    expect(c.get('ns/b')).toEqual(['ns/a']);
    expect(c.get('ns/c')).toEqual([]);
  });

  it('keeps the last 5 attempts, a condition time while its status holds, and writes nothing when nothing changed', () => {
    let status = {};
    for (let i = 1; i <= 7; i++)
      status = nextStatus(
        status,
        {
          conditions: [{ type: 'Ready', status: 'True', reason: 'AsExpected', message: 'ok' }],
          scaled: { timestamp: `t${i}`, previousScale: i - 1, newScale: i, success: true },
        },
        `time-${i}`,
      )!;
    expect(status).toMatchObject({
      lastScaleTime: 't7',
      conditions: [{ lastTransitionTime: 'time-1' }],
    });
    expect(
      (status as { scalingHistory: { newScale: number }[] }).scalingHistory.map((h) => h.newScale),
    ).toEqual([3, 4, 5, 6, 7]);
    expect(
      nextStatus(
        status,
        { conditions: [{ type: 'Ready', status: 'True', reason: 'AsExpected', message: 'ok' }] },
        'later',
      ),
    ).toBeUndefined();
  });

  it('prefetches on connected nodes with free healthy GPUs, most free first, plus nodes serving the target', () => {
    const node = (name: string, gpus: number[], engines: (number[] | undefined)[], extra = {}) => ({
      node: name,
      connected: true,
      healthyGpus: gpus,
      engineGpus: engines,
      servesTarget: false,
      ...extra,
    });
    expect(
      prefetchNodes(
        [
          node('full', [0, 1], [[0], [1]]),
          node('one-free', [0, 1], [[0]]),
          node('two-free', [0, 1], []),
          node('unknown-map', [0, 1], [undefined]),
          node('gone', [0, 1], [], { connected: false }),
          node('serving', [0], [[0]], { servesTarget: true }),
        ],
        1,
      ),
    ).toEqual(['two-free', 'serving']);
    expect(prefetchNodes([node('two-free', [0, 1], [])], 0)).toEqual([]);
  });

  it('averages the samples inside a window and forgets the old ones', () => {
    const w = new SampleWindow(10_000);
    expect(w.average(0, 5000)).toBeUndefined();
    w.record(0, 10);
    w.record(6000, 2);
    w.record(8000, 4);
    expect(w.average(8000, 5000)).toBe(3);
    expect(w.average(8000, 10_000)).toBeCloseTo(16 / 3);
    expect(w.average(17_000, 10_000)).toBe(4);
  });
});
