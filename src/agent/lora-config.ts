/**
 * The agent's `lora` section: bounds of the adapter manager. An adapter is tens to hundreds of
 * MB (reference/perf.md §6: Llama-3-8B rank 16 is 27–84 MB); 2 GiB refuses a full model given
 * as an adapter without refusing any real one. 60 s for the engine's load call leaves room for a
 * busy engine (AIBrix's client waits 30 s; LoRAX observed 0.5–1 s per adapter).
 */
import { int } from '../shared/index.js';

const positive = { min: 1 };

/** The `lora` keys of the agent's config (README: agent config table). */
export const loraConfigSpec = {
  maxAdapterBytes: int(
    2 * 1024 ** 3,
    'largest LoRA adapter the agent fetches, bytes (larger: LORA_TOO_LARGE)',
    positive,
  ),
  loadTimeoutMs: int(
    60_000,
    'bound of the engine’s load_lora_adapter / unload_lora_adapter call, ms',
    positive,
  ),
  modelsTimeoutMs: int(10_000, 'bound of one GET /v1/models to check an adapter, ms', positive),
  concurrency: int(4, 'lora.load / lora.unload commands run at once', { min: 1, max: 64 }),
  maxRank: int(
    0,
    'highest adapter rank the node’s engines accept (their --max-lora-rank); 0: let each engine decide',
    { min: 0 },
  ),
  maxAdapters: int(
    4096,
    'most adapter loads the agent keeps a record of (engines × adapters on the node)',
    positive,
  ),
};
