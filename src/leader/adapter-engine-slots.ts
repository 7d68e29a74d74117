/**
 * The engines as LoRA placement sees them (EngineSlot, src/lora/placement-contract.ts), read from
 * the cluster state store: discovery's labels and max LoRA rank, the agent's report of slots,
 * loaded adapters and load. Ready means routable now: discovery says ready, its agent's report is
 * fresh and says up, not draining, its GPUs healthy.
 */
import { DEFAULT_MAX_LORA_RANK } from '../discovery/index.js';
import type { EngineSlot } from '../lora/index.js';
import type { ClusterStateStore, EndpointState } from './cluster-state.js';

/**
 * Label that sets how many adapters an engine may hold. vLLM's `max_loras` (what the engine
 * reports) bounds the adapters in one batch; an engine started with a larger `--max-cpu-loras`
 * keeps more registered and swaps them into the batch slots on demand, which vLLM does not
 * report, so the operator states it here. Without it, placement holds at most `max_loras`.
 */
export const MAX_ADAPTERS_LABEL = 'model.infernode.io/max-adapters';

const labelCount = (value: string | undefined): number | undefined => {
  if (value === undefined || !/^\d{1,5}$/.test(value)) return undefined;
  return Number(value);
};

/** One endpoint's slot. */
export function engineSlot(s: EndpointState): EngineSlot {
  const scrape = s.report?.metrics?.scrape;
  return {
    id: s.endpoint.id,
    node: s.endpoint.node,
    model: s.endpoint.model,
    labels: s.endpoint.labels ?? {},
    ready: s.endpoint.ready && !s.stale && !s.agentSaysDown && !s.draining && !s.gpuFailed,
    // LoRA off (no max_lora reported) stays 0 whatever the label says.
    maxLoras:
      (scrape?.lora?.maxLoras ?? 0) > 0
        ? Math.max(
            scrape?.lora?.maxLoras ?? 0,
            labelCount(s.endpoint.labels?.[MAX_ADAPTERS_LABEL]) ?? 0,
          )
        : 0,
    maxLoraRank: s.endpoint.maxLoraRank ?? DEFAULT_MAX_LORA_RANK,
    loaded: s.report?.adapters ?? [],
    load: (scrape?.numRequestsRunning ?? 0) + (scrape?.numRequestsWaiting ?? 0),
  };
}

/** Every discovered engine's slot. */
export const engineSlots = (store: ClusterStateStore): EngineSlot[] =>
  store.endpoints().map(engineSlot);
