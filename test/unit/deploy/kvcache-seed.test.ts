/**
 * The seed's KVCache (AIBrix's example with only apiVersion changed) against the rendered CRD:
 * accepted as written, nothing pruned; and it takes effect: the plan gives the L20 nodes a 4 GiB
 * S3-FIFO store shared across nodes, used by the deepseek-33b engines only.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { planKvCache, type KVCache } from '../../../src/kvcache/index.js';
import { crdValidation, unknownFields } from '../../helpers/crd-validation.js';
import type { Manifest } from '../../helpers/kustomize-lite.js';
import { DEPLOY_DIR, renderKustomization } from '../../helpers/render-deploy.js';

const FIXTURES = join(import.meta.dirname, '../../fixtures');
const crds = renderKustomization(DEPLOY_DIR).filter((m) => m.kind === 'CustomResourceDefinition');
const { crdSchema, crProblems } = crdValidation(crds);
const seed = parse(readFileSync(join(FIXTURES, 'kvcache/seed-kvcache.yaml'), 'utf8')) as Manifest;

describe('KVCache CRD: the seed example', () => {
  it('is accepted as written, nothing pruned', () => {
    expect(crProblems(seed)).toEqual([]);
    expect(unknownFields(crdSchema('KVCache'), seed)).toEqual([]);
    expect(crProblems({ ...seed, spec: { mode: 'sharded' } }).join()).toMatch(/allowed values/);
  });

  it('takes effect: capacity, policy, engines and nodes from its fields', () => {
    const plan = planKvCache(seed as unknown as KVCache, [
      {
        name: 'l20-a',
        gpuType: 'NVIDIA-L20',
        engines: [
          { id: 'l20-a/e1', model: 'aibrix-deepseek-33b' },
          { id: 'l20-a/e2', model: 'llama-3-8b' },
        ],
      },
      {
        name: 'h100-a',
        gpuType: 'NVIDIA-H100',
        engines: [{ id: 'h100-a/e1', model: 'aibrix-deepseek-33b' }],
      },
    ]);
    expect(plan.problems).toEqual([]);
    expect(plan.nodes).toEqual([
      {
        node: 'l20-a',
        args: {
          resource: 'aibrix-system/aibrix-deepseek-33b-kvcache',
          budgetBytes: 4 * 2 ** 30,
          policy: 's3fifo',
          shared: true,
          engines: ['l20-a/e1'],
        },
      },
    ]);
  });
});
