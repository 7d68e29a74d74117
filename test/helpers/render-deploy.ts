/**
 * Renders a kustomization as `kubectl apply -k` would: with `kubectl kustomize` when kubectl is
 * installed, else with the in-repo kustomize-lite (the manifests test checks both agree).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { kustomizeLite, type Manifest } from './kustomize-lite.js';

/** The repository's deploy/ directory. */
export const DEPLOY_DIR = join(import.meta.dirname, '../../deploy');

/** True when `kubectl` runs here. */
export const hasKubectl =
  spawnSync('kubectl', ['version', '--client'], { stdio: 'ignore' }).status === 0;

function kubectlKustomize(dir: string): Manifest[] {
  const text = execFileSync('kubectl', ['kustomize', dir], { encoding: 'utf8', timeout: 60_000 });
  return parseAllDocuments(text).map((d) => d.toJS() as Manifest);
}

/** The objects a kustomization directory renders to. */
export const renderKustomization = (dir: string): Manifest[] =>
  hasKubectl ? kubectlKustomize(dir) : kustomizeLite(dir);
