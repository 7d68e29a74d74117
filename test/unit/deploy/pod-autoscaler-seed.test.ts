/**
 * The seed's PodAutoscaler, written with the Prometheus metric source form, against the rendered
 * CRD: accepted as written with only apiVersion changed, nothing pruned, and the rules that keep
 * the two source forms apart.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { crdValidation, unknownFields } from '../../helpers/crd-validation.js';
import type { Manifest } from '../../helpers/kustomize-lite.js';
import { DEPLOY_DIR, renderKustomization } from '../../helpers/render-deploy.js';

type Obj = Record<string, unknown>;

const FIXTURES = join(import.meta.dirname, '../../fixtures');
const crds = renderKustomization(DEPLOY_DIR).filter((m) => m.kind === 'CustomResourceDefinition');
const { crdSchema, crProblems } = crdValidation(crds);

describe('PodAutoscaler CRD: the seed example', () => {
  it("the seed's PodAutoscaler (Prometheus source form) is accepted as written, nothing pruned", () => {
    const seed = parse(
      readFileSync(join(FIXTURES, 'pod-autoscaler/seed-prometheus.yaml'), 'utf8'),
    ) as Manifest;
    expect(crProblems(seed)).toEqual([]);
    // Every field the seed wrote is a property of the schema: the API server keeps it.
    expect(unknownFields(crdSchema('PodAutoscaler'), seed)).toEqual([]);
    const source = (seed.spec as { metricsSources: Obj[] }).metricsSources[0]!;
    expect(source).toEqual({
      type: 'Prometheus',
      prometheus: { query: 'avg(vllm:num_requests_running)' },
      targetValue: '8',
    });
    const withSource = (s: Obj): Manifest => ({
      ...seed,
      spec: { ...(seed.spec as Obj), metricsSources: [s] },
    });
    expect(crProblems(withSource({ ...source, metricSourceType: 'pod' }))).toContain(
      'a metric source has either metricSourceType or type (Prometheus), not both',
    );
    expect(crProblems(withSource({ type: 'Prometheus', targetValue: '8' }))).toContain(
      'a Prometheus metric source needs prometheus.query',
    );
    expect(
      crProblems(
        withSource({ type: 'Graphite', prometheus: { query: 'x' }, targetValue: '1' }),
      ).join(),
    ).toMatch(/allowed values/);
    expect(crProblems(withSource({ ...source, prometheus: {} })).join()).toMatch(/query/);
    expect(crProblems(withSource({ targetValue: '8' }))).toContain(
      'a metric source has either metricSourceType or type (Prometheus), not both',
    );
    expect(crProblems(withSource({ metricSourceType: 'engine', targetValue: '8' }))).toContain(
      'a metricSourceType source needs targetMetric',
    );
    expect(
      crProblems(
        withSource({ metricSourceType: 'engine', targetMetric: 'gpu_temp', targetValue: '1' }),
      ).join(),
    ).toMatch(/an engine metric source measures/);
    expect(
      crProblems(
        withSource({
          metricSourceType: 'engine',
          targetMetric: 'kv_cache_usage',
          targetValue: '0.5',
        }),
      ),
    ).toEqual([]);
    expect(
      crProblems({ ...seed, spec: { ...(seed.spec as Obj), scalingStrategy: 'SLO' } }),
    ).toEqual([]);
  });
});
