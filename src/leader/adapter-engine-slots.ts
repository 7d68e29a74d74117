/**
 * The engines as LoRA placement sees them (EngineSlot, src/lora/placement-contract.ts), read from
 * the cluster state store: discovery's labels and max LoRA rank, the agent's report of slots,
 * loaded adapters and load. Ready means routable now: discovery says ready, its agent's report is
 * fresh and says up, not draining, its GPUs healthy.
 */
import { DEFAULT_MAX_LORA_RANK } from '../discovery/index.js';
import type { EngineSlot } from '../lora/index.js';
import type { ClusterStateStore, EndpointState } from './cluster-state.js';

/** One endpoint's slot. */
export function engineSlot(s: EndpointState): EngineSlot {
  const scrape = s.report?.metrics?.scrape;
  return {
    id: s.endpoint.id,
    node: s.endpoint.node,
    model: s.endpoint.model,
    labels: s.endpoint.labels ?? {},
    ready: s.endpoint.ready && !s.stale && !s.agentSaysDown && !s.draining && !s.gpuFailed,
    maxLoras: scrape?.lora?.maxLoras ?? 0,
    maxLoraRank: s.endpoint.maxLoraRank ?? DEFAULT_MAX_LORA_RANK,
    loaded: s.report?.adapters ?? [],
    load: (scrape?.numRequestsRunning ?? 0) + (scrape?.numRequestsWaiting ?? 0),
  };
}

/** Every discovered engine's slot. */
export const engineSlots = (store: ClusterStateStore): EngineSlot[] =>
  store.endpoints().map(engineSlot);
