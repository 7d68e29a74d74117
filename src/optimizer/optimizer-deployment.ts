/**
 * Which deployments the optimizer sizes: one per (model, GPU type), as AIBrix labels one
 * Deployment per GPU type of a model. Written as config list entries
 * `namespace/name=model@GPU[:minReplicas]`, e.g. `default/llama-h100=meta-llama/Llama-3.1-8B-Instruct@H100:1`
 * (the model may contain `/`; the GPU type is after the last `@`).
 */

/** One deployment the optimizer recommends a replica count for. */
export interface OptimizerDeployment {
  readonly namespace: string;
  readonly name: string;
  /** Served model name (what the gateway's request log records). */
  readonly model: string;
  /** GPU type, matched against profiles' `gpu` (case-insensitive). */
  readonly gpu: string;
  /** Replicas kept without load (AIBrix's `model.aibrix.ai/min_replicas`). */
  readonly minReplicas: number;
}

/** Default floor: one replica, so a quiet window never scales a model to zero by accident. */
export const DEFAULT_MIN_REPLICAS = 1;

const NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

/** `namespace/name` of a deployment. */
export const deploymentKey = (d: Pick<OptimizerDeployment, 'namespace' | 'name'>): string =>
  `${d.namespace}/${d.name}`;

/** Parses one config entry; a string is the problem with it. */
export function parseOptimizerDeployment(entry: string): OptimizerDeployment | string {
  const eq = entry.indexOf('=');
  const at = entry.lastIndexOf('@');
  if (eq < 0 || at < eq) return `"${entry}": expected namespace/name=model@GPU[:minReplicas]`;
  const [namespace, name, ...rest] = entry.slice(0, eq).split('/');
  if (namespace === undefined || name === undefined || rest.length > 0)
    return `"${entry}": the deployment must be namespace/name`;
  if (!NAME.test(namespace) || !NAME.test(name))
    return `"${entry}": namespace and name must be Kubernetes names`;
  const model = entry.slice(eq + 1, at);
  if (model === '') return `"${entry}": no model before @`;
  const [gpu = '', min, ...more] = entry.slice(at + 1).split(':');
  if (gpu === '' || more.length > 0) return `"${entry}": expected a GPU type after @`;
  const minReplicas = min === undefined ? DEFAULT_MIN_REPLICAS : Number(min);
  if (!Number.isInteger(minReplicas) || minReplicas < 0)
    return `"${entry}": minReplicas must be an integer ≥ 0`;
  return { namespace, name, model, gpu, minReplicas };
}

/** Parses every entry; duplicates of a deployment are problems. */
export function parseOptimizerDeployments(entries: readonly string[]): {
  deployments: OptimizerDeployment[];
  problems: string[];
} {
  const deployments: OptimizerDeployment[] = [];
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const entry of entries) {
    const parsed = parseOptimizerDeployment(entry.trim());
    if (typeof parsed === 'string') problems.push(parsed);
    else if (seen.has(deploymentKey(parsed)))
      problems.push(`"${entry}": deployment ${deploymentKey(parsed)} is listed twice`);
    else {
      seen.add(deploymentKey(parsed));
      deployments.push(parsed);
    }
  }
  return { deployments, problems };
}
