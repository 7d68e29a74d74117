/**
 * A small stand-in for `kubectl kustomize`, for machines without kubectl (CI installs only what
 * scripts/test.sh installs). It understands what deploy/ uses and nothing more: `resources`
 * (files and directories), `namespace` (namespaced objects and ServiceAccount subjects of
 * bindings), `labels[].pairs` (metadata only) and `images` (newName/newTag). The manifests test
 * checks that it renders the same objects as kubectl wherever kubectl exists.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';

/** A rendered Kubernetes object. */
export type Manifest = Record<string, unknown> & {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
};

interface Kustomization {
  resources?: string[];
  namespace?: string;
  labels?: { pairs: Record<string, string>; includeSelectors?: boolean }[];
  images?: { name: string; newName?: string; newTag?: string }[];
}

const CLUSTER_SCOPED = new Set([
  'Namespace',
  'CustomResourceDefinition',
  'ClusterRole',
  'ClusterRoleBinding',
  'PriorityClass',
  'StorageClass',
]);

function readYaml(path: string): Manifest[] {
  return parseAllDocuments(readFileSync(path, 'utf8'))
    .map((d) => d.toJS() as Manifest | null)
    .filter((m): m is Manifest => m !== null);
}

function setImages(node: unknown, images: NonNullable<Kustomization['images']>): void {
  if (Array.isArray(node)) node.forEach((n) => setImages(n, images));
  else if (node !== null && typeof node === 'object') {
    const obj = node as Record<string, unknown>;
    for (const [key, value] of Object.entries(obj)) {
      if (key === 'image' && typeof value === 'string') {
        const [name] = value.split(':');
        const rule = images.find((i) => i.name === name);
        if (rule)
          obj.image = `${rule.newName ?? rule.name}:${rule.newTag ?? value.split(':')[1] ?? 'latest'}`;
      } else setImages(value, images);
    }
  }
}

/** Renders a kustomization directory into its objects. */
export function kustomizeLite(dir: string): Manifest[] {
  const file = ['kustomization.yaml', 'kustomization.yml']
    .map((f) => join(dir, f))
    .find(existsSync);
  if (!file) throw new Error(`no kustomization in ${dir}`);
  const k = readYaml(file)[0] as unknown as Kustomization;
  const out: Manifest[] = [];
  for (const resource of k.resources ?? []) {
    const path = join(dir, resource);
    out.push(...(statSync(path).isDirectory() ? kustomizeLite(path) : readYaml(path)));
  }
  for (const m of out) {
    if (k.namespace !== undefined) {
      if (!CLUSTER_SCOPED.has(m.kind)) m.metadata.namespace = k.namespace;
      if (m.kind === 'RoleBinding' || m.kind === 'ClusterRoleBinding')
        for (const s of (m.subjects ?? []) as { kind: string; namespace?: string }[])
          if (s.kind === 'ServiceAccount') s.namespace = k.namespace;
    }
    for (const { pairs } of k.labels ?? []) m.metadata.labels = { ...m.metadata.labels, ...pairs };
    if (k.images) setImages(m, k.images);
  }
  return out;
}
