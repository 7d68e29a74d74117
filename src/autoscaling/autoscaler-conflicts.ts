/**
 * Two PodAutoscalers on one target would fight (each scales to its own answer). Like AIBrix,
 * both get MultiPodAutoscalerConflict=True and neither scales until one is removed. Pure.
 */

/** The identity of a scale target: group, kind and namespaced name. */
export const targetIdentity = (t: {
  readonly group: string;
  readonly plural: string;
  readonly namespace: string;
  readonly name: string;
}): string => `${t.group}/${t.plural}/${t.namespace}/${t.name}`;

/**
 * For each PodAutoscaler key, the other keys that target the same object (empty: no conflict).
 * `targets` maps a PodAutoscaler key to its target identity.
 */
export function conflictsByKey(
  targets: ReadonlyMap<string, string>,
): Map<string, readonly string[]> {
  const byTarget = new Map<string, string[]>();
  for (const [key, target] of targets) {
    const list = byTarget.get(target) ?? [];
    list.push(key);
    byTarget.set(target, list);
  }
  const out = new Map<string, readonly string[]>();
  for (const [key, target] of targets)
    out.set(
      key,
      (byTarget.get(target) ?? []).filter((k) => k !== key),
    );
  return out;
}
