/** The CRDs of deploy/crds, parsed, for the fake API server to serve. */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

const CRD_DIR = join(import.meta.dirname, '../../deploy/crds');

/** Every CustomResourceDefinition under deploy/crds. */
export function loadCrds(): unknown[] {
  return readdirSync(CRD_DIR)
    .filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml')
    .map((f) => parse(readFileSync(join(CRD_DIR, f), 'utf8')) as unknown);
}

/** KubeRay's RayCluster CRD (ray.io/v1, minimal): what a RayClusterFleet creates. */
export function loadRayClusterCrd(): unknown {
  return parse(
    readFileSync(join(import.meta.dirname, '../fixtures/kuberay/raycluster-crd.yaml'), 'utf8'),
  ) as unknown;
}
