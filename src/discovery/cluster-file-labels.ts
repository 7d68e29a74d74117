/**
 * An engine's `labels:` and `maxLoraRank:` in the cluster file: what a ModelAdapter's podSelector
 * matches and the highest LoRA rank it accepts, as pod labels and the
 * `model.infernode.io/max-lora-rank` label give them on Kubernetes.
 */
import type { ConfigIssue } from '../shared/index.js';
import { isObj, optionalNumber, type Obj } from './cluster-file-fields.js';

/** The label every engine carries by default, as engine pods do on Kubernetes. */
export const MODEL_NAME_LABEL = 'model.infernode.io/name';

/** Label keys and values as Kubernetes allows them (prefix/name, 63-character name and value). */
const KEY =
  /^([a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;

/** Labels and max LoRA rank of one engine entry. */
export interface EngineLabels {
  readonly labels: Readonly<Record<string, string>>;
  readonly maxLoraRank: number | undefined;
}

/**
 * Parses an engine's `labels` (a map of strings; `model.infernode.io/name: <model>` unless the
 * file sets it) and `maxLoraRank` (the engine's own, else its `sim.maxLoraRank`).
 */
export function parseEngineLabels(
  raw: Obj,
  model: string,
  simMaxLoraRank: number | undefined,
  path: string,
  issues: ConfigIssue[],
): EngineLabels {
  const labels: Record<string, string> = { [MODEL_NAME_LABEL]: model };
  if (raw.labels !== undefined) {
    if (!isObj(raw.labels)) issues.push({ path: `${path}.labels`, message: 'expected a mapping' });
    else
      for (const [key, value] of Object.entries(raw.labels)) {
        if (!KEY.test(key) || typeof value !== 'string' || !VALUE.test(value))
          issues.push({
            path: `${path}.labels.${key}`,
            message: 'expected a Kubernetes label (prefix/name: value, at most 63 characters)',
          });
        else labels[key] = value;
      }
  }
  const own = optionalNumber(raw.maxLoraRank, `${path}.maxLoraRank`, issues, {
    min: 1,
    max: 65536,
    integer: true,
  });
  return { labels, maxLoraRank: own ?? simMaxLoraRank };
}
