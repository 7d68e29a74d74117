/**
 * Which base models and adapters can take a request now (pure): an engine counts when discovery
 * says ready, its agent does not say it is down and none of its GPUs failed. Staleness does not
 * matter here (routing falls back on stale engines), so the summary only changes with readiness,
 * adapters, GPU health or discovery, and the store keeps it between those changes.
 */
import type { EndpointState } from './endpoint-state.js';

/** Ready base models (sorted) and, per base model, the adapters loaded on its ready engines. */
export interface ReadySummary {
  readonly models: readonly string[];
  readonly adapters: ReadonlyMap<string, ReadonlySet<string>>;
}

/** Summarizes which models and adapters have a ready engine. */
export function readyByModel(states: Iterable<EndpointState>): ReadySummary {
  const models = new Set<string>();
  const adapters = new Map<string, Set<string>>();
  for (const s of states) {
    if (!s.endpoint.ready || s.agentSaysDown || s.gpuFailed) continue;
    models.add(s.endpoint.model);
    for (const a of s.report?.adapters ?? []) {
      const set = adapters.get(s.endpoint.model) ?? new Set<string>();
      set.add(a);
      adapters.set(s.endpoint.model, set);
    }
  }
  return { models: [...models].sort(), adapters };
}
