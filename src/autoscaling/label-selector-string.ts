/**
 * The string form of a label selector, as a scale subresource reports it in `status.selector`
 * (`app=llama,tier in (a,b),!canary`): parsed once into a predicate over a pod's labels. Pure.
 * A selector that does not parse matches nothing, so a target never claims engines by mistake.
 */

/** A predicate over labels. */
export type LabelPredicate = (labels: Readonly<Record<string, string>>) => boolean;

const NOTHING: LabelPredicate = () => false;

/** Splits on commas outside parentheses. */
function terms(selector: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < selector.length; i++) {
    const c = selector[i];
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === ',' && depth === 0) {
      out.push(selector.slice(start, i));
      start = i + 1;
    }
  }
  out.push(selector.slice(start));
  return out.map((t) => t.trim()).filter((t) => t !== '');
}

function term(text: string): LabelPredicate | undefined {
  const set = /^([^\s!=]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(text);
  if (set) {
    const [, key, op, list] = set as unknown as [string, string, string, string];
    const values = new Set(list.split(',').map((v) => v.trim()));
    return op === 'in'
      ? (l) => l[key] !== undefined && values.has(l[key])
      : (l) => l[key] === undefined || !values.has(l[key]);
  }
  const cmp = /^([A-Za-z0-9./_-]+)\s*(==|=|!=)\s*([A-Za-z0-9._-]*)$/.exec(text);
  if (cmp) {
    const [, key, op, value] = cmp as unknown as [string, string, string, string];
    return op === '!=' ? (l) => l[key] !== value : (l) => l[key] === value;
  }
  const not = /^!([^\s!=]+)$/.exec(text);
  if (not) {
    const key = not[1] ?? '';
    return (l) => l[key] === undefined;
  }
  if (/^[^\s!=(),]+$/.test(text)) return (l) => l[text] !== undefined;
  return undefined;
}

/**
 * Parses a selector string. The empty selector matches everything (as in Kubernetes); a term
 * that does not parse makes the whole selector match nothing.
 */
export function parseLabelSelectorString(selector: string): LabelPredicate {
  const predicates: LabelPredicate[] = [];
  for (const t of terms(selector)) {
    const p = term(t);
    if (p === undefined) return NOTHING;
    predicates.push(p);
  }
  return (labels) => predicates.every((p) => p(labels));
}
