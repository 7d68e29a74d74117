/**
 * Keys of namespaced custom resources as controllers use them (`<namespace>/<name>`), and the
 * REST coordinates of an infernode plural for the generic custom-objects API.
 */
import { AppError } from '../shared/index.js';
import { CRD_KINDS, INFERNODE_GROUP, INFERNODE_VERSION } from '../discovery/index.js';

/** `<namespace>/<name>` of a namespaced object. */
export const resourceKey = (namespace: string, name: string): string => `${namespace}/${name}`;

/** Splits a `<namespace>/<name>` key; throws K8S_INVALID for anything else. */
export function splitResourceKey(key: string): { namespace: string; name: string } {
  const slash = key.indexOf('/');
  if (slash <= 0 || slash === key.length - 1 || key.slice(slash + 1).includes('/'))
    throw new AppError('K8S_INVALID', `expected <namespace>/<name>, got ${JSON.stringify(key)}`);
  return { namespace: key.slice(0, slash), name: key.slice(slash + 1) };
}

/** group, version, plural and kind of one infernode plural (e.g. `modeladapters`). */
export function infernodeKind(plural: string): {
  readonly group: string;
  readonly version: string;
  readonly plural: string;
  readonly kind: string;
} {
  const found = CRD_KINDS.find((k) => k.plural === plural);
  if (found === undefined) throw new AppError('K8S_INVALID', `not an infernode plural: ${plural}`);
  return { group: INFERNODE_GROUP, version: INFERNODE_VERSION, plural, kind: found.kind };
}
