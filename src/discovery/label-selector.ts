/**
 * metav1.LabelSelector matching, as the API server applies it: every `matchLabels` pair AND
 * every `matchExpressions` requirement must hold; an empty selector matches everything. Used
 * where infernode selects engines itself (the cluster-file mode, LoRA placement) so both
 * discovery modes select the same engines a Kubernetes list would.
 */
import type { LabelSelector } from './custom-resources.js';

type Requirement = NonNullable<LabelSelector['matchExpressions']>[number];

/** True when `labels` satisfy `selector` (metav1 semantics; empty selector matches all). */
export function matchesSelector(
  labels: Readonly<Record<string, string>>,
  selector: LabelSelector,
): boolean {
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    if (!hasLabel(labels, key) || labels[key] !== value) return false;
  }
  return (selector.matchExpressions ?? []).every((requirement) =>
    meetsRequirement(labels, requirement),
  );
}

function meetsRequirement(labels: Readonly<Record<string, string>>, req: Requirement): boolean {
  const present = hasLabel(labels, req.key);
  const values = req.values ?? [];
  switch (req.operator) {
    case 'In':
      return present && values.includes(labels[req.key] as string);
    case 'NotIn':
      // As in apimachinery: a missing key satisfies NotIn.
      return !present || !values.includes(labels[req.key] as string);
    case 'Exists':
      return present;
    case 'DoesNotExist':
      return !present;
    default:
      // An operator the type does not know (a hand-written cluster file): select nothing rather
      // than everything, so a typo never loads an adapter on every engine.
      return false;
  }
}

// Own keys only: labels parsed from JSON/YAML must not match `constructor` or `__proto__`.
function hasLabel(labels: Readonly<Record<string, string>>, key: string): boolean {
  return Object.prototype.hasOwnProperty.call(labels, key);
}
