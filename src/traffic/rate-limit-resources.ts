/**
 * Rate limits declared as custom resources (`kind: RateLimitPolicy`, group `infernode.io`) next
 * to the config file's `limits`: the static cluster file's `resources` list holds them like the
 * API server would. A resource's `spec` has the shape of the file's `limits` section (users,
 * defaultUser, models); API keys stay in the config file, never in a resource. Pure: the leader
 * re-applies the result whenever discovery reports a new resource list.
 */
import type { ConfigIssue } from '../shared/index.js';
import { parseTrafficLimits, type TrafficConfig } from './traffic-config.js';

export const RATE_LIMIT_POLICY_KIND = 'RateLimitPolicy';

/** What this module reads of a custom resource (the discovery area's CustomResource fits). */
export interface ResourceLike {
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string };
  readonly spec?: unknown;
}

/** The merged limits, and the problems of the resources that were left out. */
export interface ResourceLimits {
  readonly config: TrafficConfig;
  readonly issues: readonly ConfigIssue[];
}

const nameOf = (r: ResourceLike): string =>
  r.metadata.namespace === undefined
    ? r.metadata.name
    : `${r.metadata.namespace}/${r.metadata.name}`;

/**
 * `base` (the config file's limits) with every valid RateLimitPolicy laid over it, in name
 * order: a user or model named in a resource takes that resource's entry whole; a resource's
 * `defaultUser` replaces the default. An invalid resource is left out entirely (one bad object
 * must not drop or half-apply limits) and its problems are returned, paths prefixed with it.
 */
export function limitsWithResources(
  base: TrafficConfig,
  resources: readonly ResourceLike[],
): ResourceLimits {
  const users = new Map(base.users);
  const models = new Map(base.models);
  let defaultUser = base.defaultUser;
  const issues: ConfigIssue[] = [];
  const policies = resources
    .filter((r) => r.kind === RATE_LIMIT_POLICY_KIND)
    .sort((a, b) => nameOf(a).localeCompare(nameOf(b)));
  for (const policy of policies) {
    const where = `${RATE_LIMIT_POLICY_KIND} ${nameOf(policy)}`;
    const parsed = parseTrafficLimits({ limits: policy.spec ?? {} });
    if (!parsed.ok) {
      for (const issue of parsed.issues)
        issues.push({
          path: `${where}: ${issue.path.replace(/^limits/, 'spec')}`,
          message: issue.message,
        });
      continue;
    }
    for (const [name, limits] of parsed.value.users) users.set(name, limits);
    for (const [name, limits] of parsed.value.models) models.set(name, limits);
    defaultUser = parsed.value.defaultUser ?? defaultUser;
  }
  return { config: { ...base, users, models, defaultUser }, issues };
}
