/**
 * Which engine pods discovery may trust (issue 10: a tenant who could run a Ready pod with the
 * model label anywhere received others' prompts). Pure. By default only pods in this process's
 * own namespace count; operators list namespaces (or `*` for all, on purpose), may require more
 * labels (`team=ml`, matched server-side in the label selector and checked again here), and may
 * require a controller owner reference of a given kind (ReplicaSet, StatefulSet,
 * LeaderWorkerSet…), so a bare pod someone created by hand is not an engine.
 */
import type { V1Pod } from '@kubernetes/client-node';
import { ConfigError, type ConfigIssue } from '../shared/index.js';

/** The `watchNamespaces` entry that opts into every namespace. */
export const ALL_NAMESPACES = '*';

/** The validated scope. */
export interface DiscoveryScope {
  /** Namespaces watched, each with its own informers; `'all'`: one cluster-wide informer. */
  readonly namespaces: readonly string[] | 'all';
  /** Labels every engine pod must carry with exactly these values. */
  readonly requireLabels: Readonly<Record<string, string>>;
  /** Kinds one of which a pod's controller owner reference must have; empty: any pod. */
  readonly requireOwnerKinds: readonly string[];
}

/** The config values the scope comes from (`kube.*`). */
export interface DiscoveryScopeValues {
  /** This pod's namespace: the default scope. */
  readonly namespace: string;
  /** Explicit namespaces; empty: `namespace` only; `['*']`: all namespaces. */
  readonly watchNamespaces: readonly string[];
  /** `key=value` entries. */
  readonly requireLabels: readonly string[];
  readonly requireOwnerKinds: readonly string[];
}

// A label key: an optional DNS prefix and a name (Kubernetes' qualified name, loosely).
const LABEL_KEY = /^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;

/** The scope from config, or every problem with it (paths under `kube.`). */
export function discoveryScopeFrom(
  values: DiscoveryScopeValues,
): { ok: true; scope: DiscoveryScope } | { ok: false; issues: ConfigIssue[] } {
  const issues: ConfigIssue[] = [];
  const listed = values.watchNamespaces.map((n) => n.trim()).filter((n) => n !== '');
  if (listed.includes(ALL_NAMESPACES) && listed.length > 1)
    issues.push({
      path: 'kube.watchNamespaces',
      message: `"${ALL_NAMESPACES}" (all namespaces) cannot be combined with names`,
    });
  const requireLabels: Record<string, string> = {};
  for (const entry of values.requireLabels) {
    const eq = entry.indexOf('=');
    const key = eq < 0 ? entry : entry.slice(0, eq);
    const value = eq < 0 ? '' : entry.slice(eq + 1);
    if (eq < 0 || !LABEL_KEY.test(key) || !LABEL_VALUE.test(value))
      issues.push({
        path: 'kube.requireLabels',
        message: `expected key=value with a valid label key and value, got "${entry}"`,
      });
    else requireLabels[key] = value;
  }
  if (issues.length > 0) return { ok: false, issues };
  const namespaces =
    listed[0] === ALL_NAMESPACES ? 'all' : listed.length > 0 ? listed : [values.namespace];
  return {
    ok: true,
    scope: { namespaces, requireLabels, requireOwnerKinds: values.requireOwnerKinds },
  };
}

/** {@link discoveryScopeFrom}, throwing one ConfigError (CONFIG_INVALID) with every problem. */
export function resolveDiscoveryScope(values: DiscoveryScopeValues): DiscoveryScope {
  const result = discoveryScopeFrom(values);
  if (!result.ok) throw new ConfigError(result.issues);
  return result.scope;
}

/** The label selector of an informer on `modelLabel` (existence) plus the required labels. */
export function scopeLabelSelector(modelLabel: string, scope: DiscoveryScope): string {
  return [modelLabel, ...Object.entries(scope.requireLabels).map(([k, v]) => `${k}=${v}`)].join(
    ',',
  );
}

/**
 * True when the pod may be an engine: in a watched namespace, with every required label and,
 * when owner kinds are required, a controller owner reference of one of them. The informers
 * already filter by namespace and labels; this check keeps the rule true whatever the server
 * returned.
 */
export function isPodInScope(pod: V1Pod, scope: DiscoveryScope): boolean {
  const md = pod.metadata;
  if (scope.namespaces !== 'all' && !scope.namespaces.includes(md?.namespace ?? '')) return false;
  const labels = md?.labels ?? {};
  for (const [key, value] of Object.entries(scope.requireLabels))
    if (labels[key] !== value) return false;
  if (scope.requireOwnerKinds.length === 0) return true;
  return (md?.ownerReferences ?? []).some(
    (ref) => ref.controller === true && scope.requireOwnerKinds.includes(ref.kind),
  );
}
