/**
 * A small, pure RBAC evaluator over rendered manifests, as the API server's authorizer decides:
 * a ServiceAccount's grants are the rules of the ClusterRoles its ClusterRoleBindings name (all
 * namespaces and cluster-scoped objects) and of the Roles or ClusterRoles its RoleBindings name
 * (that binding's namespace only). A rule matches a request on apiGroups, resources
 * (`resource/subresource` for a subresource), verbs and, when set, resourceNames (which a
 * request without a name, such as create, never matches). `*` matches anything, as in RBAC.
 */
import type { Manifest } from './kustomize-lite.js';

/** One RBAC policy rule. */
export interface RbacRule {
  readonly apiGroups: readonly string[];
  readonly resources: readonly string[];
  readonly verbs: readonly string[];
  readonly resourceNames?: readonly string[];
}

/** A rule a subject holds, and where. */
export interface Grant {
  readonly rule: RbacRule;
  /** The RoleBinding's namespace; undefined: cluster-wide (ClusterRoleBinding). */
  readonly namespace: string | undefined;
  /** e.g. `RoleBinding infernode-system/infernode-leader → Role infernode-leader`. */
  readonly source: string;
}

/** A request's authorization attributes (the fake API server records these). */
export interface ApiRequestAttributes {
  readonly verb: string;
  readonly group: string;
  readonly resource: string;
  readonly subresource?: string | undefined;
  readonly namespace?: string | undefined;
  readonly name?: string | undefined;
}

interface Binding {
  roleRef: { kind: string; name: string };
  subjects?: { kind: string; name: string; namespace?: string }[];
}

const matches = (list: readonly string[], value: string): boolean =>
  list.includes('*') || list.includes(value);

/** Every grant of the ServiceAccount `namespace/name` in the manifests. */
export function grantsOf(manifests: readonly Manifest[], namespace: string, name: string): Grant[] {
  const grants: Grant[] = [];
  for (const m of manifests) {
    if (m.kind !== 'RoleBinding' && m.kind !== 'ClusterRoleBinding') continue;
    const b = m as unknown as Binding;
    const bound = (b.subjects ?? []).some(
      (s) => s.kind === 'ServiceAccount' && s.name === name && s.namespace === namespace,
    );
    if (!bound) continue;
    const where = m.kind === 'RoleBinding' ? m.metadata.namespace : undefined;
    const role = manifests.find(
      (r) =>
        r.kind === b.roleRef.kind &&
        r.metadata.name === b.roleRef.name &&
        (r.kind === 'ClusterRole' || r.metadata.namespace === where),
    );
    if (!role) throw new Error(`${m.kind} ${m.metadata.name} names a missing ${b.roleRef.kind}`);
    const source = `${m.kind} ${where ? `${where}/` : ''}${m.metadata.name} → ${role.kind} ${role.metadata.name}`;
    for (const rule of (role.rules ?? []) as RbacRule[])
      grants.push({ rule, namespace: where, source });
  }
  return grants;
}

/** True when the rule allows the request (namespace aside). */
export function ruleAllows(rule: RbacRule, req: ApiRequestAttributes): boolean {
  const resource = req.subresource ? `${req.resource}/${req.subresource}` : req.resource;
  if (!matches(rule.apiGroups, req.group) || !matches(rule.verbs, req.verb)) return false;
  if (!matches(rule.resources, resource)) return false;
  const names = rule.resourceNames ?? [];
  return names.length === 0 || (req.name !== undefined && names.includes(req.name));
}

/** True when some grant allows the request where it is made. */
export function isAllowed(grants: readonly Grant[], req: ApiRequestAttributes): boolean {
  return grants.some(
    (g) => (g.namespace === undefined || g.namespace === req.namespace) && ruleAllows(g.rule, req),
  );
}

/**
 * Each single permission a grant holds (one group, resource, verb and name each), as a request
 * that would use it in the grant's namespace: what "every rule is used" checks one by one.
 */
export function permissionsOf(grant: Grant): ApiRequestAttributes[] {
  const { rule, namespace } = grant;
  const names: (string | undefined)[] =
    rule.resourceNames && rule.resourceNames.length > 0 ? [...rule.resourceNames] : [undefined];
  return rule.apiGroups.flatMap((group) =>
    rule.resources.flatMap((full) => {
      const [resource = full, subresource] = full.split('/');
      return rule.verbs.flatMap((verb) =>
        names.map((name) => ({ verb, group, resource, subresource, namespace, name })),
      );
    }),
  );
}

/** True when a recorded request uses the permission (same namespace when it is namespaced). */
export function uses(req: ApiRequestAttributes, permission: ApiRequestAttributes): boolean {
  return (
    req.verb === permission.verb &&
    req.group === permission.group &&
    req.resource === permission.resource &&
    req.subresource === permission.subresource &&
    (permission.namespace === undefined || req.namespace === permission.namespace) &&
    (permission.name === undefined || req.name === permission.name)
  );
}

/** A permission in words, for assertion messages. */
export function describePermission(p: ApiRequestAttributes): string {
  const resource = p.subresource ? `${p.resource}/${p.subresource}` : p.resource;
  return `${p.verb} ${p.group === '' ? 'core' : p.group}/${resource}${p.name ? ` ${p.name}` : ''}${p.namespace ? ` in ${p.namespace}` : ' (cluster)'}`;
}
