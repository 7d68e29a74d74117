/** Kubernetes quantities and the `resource` source's value, as HPA computes it. */
import { describe, expect, it } from 'vitest';
import {
  milliValue,
  parseQuantity,
  resourceMetricValue,
  type PodResourceSample,
} from '../../../src/autoscaling/index.js';

describe('parseQuantity + milliValue (Kubernetes MilliValue, rounded up)', () => {
  it.each([
    ['250m', 250],
    ['1', 1000],
    ['1.5', 1500],
    ['.5', 500],
    ['2.', 2000],
    ['0', 0],
    ['412345678n', 413], // nanocores: 412.345678m rounds up
    ['1000000n', 1],
    ['1u', 1], // 0.001m rounds up to 1m
    ['1k', 1_000_000],
    ['128Mi', 128 * 1024 * 1024 * 1000],
    ['131072Ki', 128 * 1024 * 1024 * 1000],
    ['1Gi', 1024 ** 3 * 1000],
    ['1e3', 1_000_000],
    ['1E3', 1_000_000],
    ['5e-3', 5],
    ['1.1', 1100], // exact, no binary float error
    ['0.1', 100],
    ['+3', 3000],
    ['-250m', -250],
  ])('%s → %i milli', (text, milli) => {
    expect(milliValue(parseQuantity(text))).toBe(milli);
  });

  it.each(['', 'm', 'abc', '1x', '1 Mi', '1mi', '1KI', '1e', '1e+', '1.2.3', '--1', '1e999'])(
    'refuses %j',
    (text) => {
      expect(() => parseQuantity(text)).toThrow(/quantity/);
    },
  );

  it('"1E" is exa, not an exponent', () => {
    expect(parseQuantity('1E')).toEqual({ numerator: 10n ** 18n, denominator: 1n });
  });
});

const pod = (
  name: string,
  usage: { cpu?: string; memory?: string }[],
  requests: { cpu?: string; memory?: string }[],
): PodResourceSample => ({
  pod: `ml/${name}`,
  usage: usage.map((u, i) => ({ container: `c${i}`, ...u })),
  requests: requests.map((r, i) => ({ container: `c${i}`, ...r })),
});

describe('resourceMetricValue', () => {
  it('cpu: Σ usage · 100 / Σ requests over pods, containers summed, truncated', () => {
    const samples = [
      pod('a', [{ cpu: '300m' }, { cpu: '100m' }], [{ cpu: '250m' }, { cpu: '250m' }]),
      pod('b', [{ cpu: '201m' }], [{ cpu: '500m' }]),
    ];
    // (400 + 201) · 100 / (500 + 500) = 60.1 → 60
    expect(resourceMetricValue(samples, 'cpu')).toBe(60);
  });

  it('cpu: a pod missing a container metric is left out, as HPA does', () => {
    const samples = [
      pod('a', [{ cpu: '900m' }], [{ cpu: '1' }]),
      pod('b', [{ memory: '1Mi' }], [{ cpu: '1' }]),
    ];
    expect(resourceMetricValue(samples, 'cpu')).toBe(90);
  });

  it('cpu: a container without a request is an error naming it', () => {
    const samples = [pod('a', [{ cpu: '1' }, { cpu: '1' }], [{ cpu: '1' }, { memory: '1Gi' }])];
    expect(() => resourceMetricValue(samples, 'cpu')).toThrow(
      'missing request for cpu in container c1 of pod ml/a',
    );
  });

  it('memory: average MiB per pod, no request needed', () => {
    const samples = [pod('a', [{ memory: '128Mi' }], [{}]), pod('b', [{ memory: '256Mi' }], [{}])];
    expect(resourceMetricValue(samples, 'memory')).toBe(192);
  });

  it('no pod with metrics is an error, never a zero', () => {
    expect(() => resourceMetricValue([], 'cpu')).toThrow('no pod of the target has cpu metrics');
    expect(() => resourceMetricValue([pod('a', [], [{ cpu: '1' }])], 'memory')).toThrow(/no pod/);
  });
});
