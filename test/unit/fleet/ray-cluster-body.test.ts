/**
 * The RayCluster a fleet creates: its head pod template carries the template's labels (so the
 * fleet's scale selector claims the head pods KubeRay runs) and the fleet's engine labels (the
 * fleet's own before the template's); worker pod templates get neither, so no worker is ever an
 * engine or claimed by a PodAutoscaler.
 */
import { describe, expect, it } from 'vitest';
import { rayClusterBody } from '../../../src/fleet/index.js';
import { aFleetSpec } from '../../helpers/fleet-builders.js';

interface Body {
  metadata: { labels: Record<string, string> };
  spec: {
    headGroupSpec: { template: { metadata?: { labels?: Record<string, string> } } };
    workerGroupSpecs: { template: { metadata?: { labels?: Record<string, string> } } }[];
  };
}

const owner = {
  apiVersion: 'infernode.io/v1alpha1',
  kind: 'RayClusterFleet',
  name: 'llama',
  uid: 'u1',
};

function body(fleetLabels: Record<string, string>, templateLabels: Record<string, string>): Body {
  const spec = aFleetSpec(1);
  const template = structuredClone(spec.template) as {
    metadata: { labels: Record<string, string> };
    spec: { headGroupSpec: { template: { metadata?: object } } };
  };
  template.metadata.labels = templateLabels;
  template.spec.headGroupSpec.template.metadata = { labels: { 'ray.io/role': 'head-own' } };
  return rayClusterBody({
    namespace: 'ml',
    name: 'llama-abc-1',
    hash: 'abc',
    revision: 1,
    template,
    fleetLabels,
    owner,
  }) as unknown as Body;
}

describe('rayClusterBody', () => {
  it("puts the template's labels and the fleet's model label on the head pod template only", () => {
    const b = body({ 'model.infernode.io/name': 'llama' }, { app: 'llama' });
    expect(b.spec.headGroupSpec.template.metadata?.labels).toEqual({
      'ray.io/role': 'head-own',
      app: 'llama',
      'model.infernode.io/name': 'llama',
    });
    expect(b.spec.workerGroupSpecs[0]!.template.metadata).toBeUndefined();
    expect(b.metadata.labels).toMatchObject({
      app: 'llama',
      'infernode.io/fleet-name': 'llama',
      'infernode.io/template-hash': 'abc',
    });
  });

  it("prefers the fleet's own model label to the template's", () => {
    const b = body(
      { 'model.infernode.io/name': 'from-fleet' },
      { app: 'llama', 'model.infernode.io/name': 'from-template' },
    );
    expect(b.spec.headGroupSpec.template.metadata?.labels?.['model.infernode.io/name']).toBe(
      'from-fleet',
    );
  });
});
