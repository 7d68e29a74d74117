/**
 * Label values for the gateway's metrics that come from a request (the `routing-strategy` header,
 * the body's `model`). Each becomes a Prometheus series, so a client that sends many distinct
 * values would grow the leader's memory and /metrics without bound (20,000 strategy spellings made
 * 20,000 series). Every such label is drawn from a known, bounded set here; anything else is
 * {@link OTHER_LABEL}. Pure: the caller says what is known.
 */
import { parseStrategy, validStrategyNames } from '../routing/index.js';

/** The label of a value outside the known set (an invalid strategy, an unknown model). */
export const OTHER_LABEL = 'other';

/** The label of a valid weighted list other than the configured default mix. */
export const MIXED_LABEL = 'mixed';

const STRATEGY_NAMES: ReadonlySet<string> = new Set(validStrategyNames());

/** A weighted list without its spaces, so `a:1, b:2` and `a:1,b:2` are the same mix. */
function compact(spec: string): string {
  return spec.replace(/\s+/g, '');
}

/**
 * The `strategy` label for a request's strategy spec: a registered strategy or composite name as
 * is; the configured default (`defaultSpec`, possibly a weighted list) as configured, however the
 * request spaced it; any other valid weighted list {@link MIXED_LABEL}; anything invalid
 * {@link OTHER_LABEL}. At most (names + 3) distinct values.
 */
export function strategyLabel(spec: string, defaultSpec: string): string {
  const trimmed = spec.trim();
  if (STRATEGY_NAMES.has(trimmed)) return trimmed;
  if (compact(trimmed) === compact(defaultSpec)) return defaultSpec.trim();
  // Parsed only on this rare path (a list that is not the default); parseStrategy is pure.
  return parseStrategy(trimmed).ok ? MIXED_LABEL : OTHER_LABEL;
}

/**
 * The `model` label: the model (or adapter) name when the catalog knows it, else
 * {@link OTHER_LABEL}. Bounded by the models and adapters discovered.
 */
export function modelLabel(model: string, isKnown: (model: string) => boolean): string {
  return isKnown(model) ? model : OTHER_LABEL;
}
