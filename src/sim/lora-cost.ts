/**
 * What LoRA adapters cost the simulated engine (reference/perf.md §6), from the BLIS simulator's
 * defaults (`defaults.yaml`, `lora:`), the one published model with both figures:
 * - step time: a batch that serves adapters runs slower by a tier of its distinct adapters —
 *   +2% up to 8, +3.5% up to 16, +6% beyond (the punica/SGMV kernels' overhead grows with the
 *   adapters gathered per step; Punica reports ~+2 ms/token at its scale). No adapter: no cost.
 * - load time: 1.5 ms fixed plus reading the adapter's bytes. BLIS writes the rate as
 *   2e6 B/µs; we take perf.md's own disk figure for the same step, NVMe at ~2 GB/s (a rank-16
 *   Llama-3-8B adapter of 27–84 MB loads in 15–40 ms), which is the bound on a real node.
 * - size when the files cannot be read (a Hub id): 2 MB per rank, BLIS's footprint.
 * Pure.
 */

/** Fixed cost of loading an adapter, seconds. */
export const LORA_LOAD_BASE_S = 1.5e-3;
/** Read rate of an adapter's files, bytes per second (NVMe). */
export const LORA_LOAD_BYTES_PER_S = 2e9;
/** Adapter bytes per unit of rank when its files are not on disk. */
export const LORA_BYTES_PER_RANK = 2 * 1024 * 1024;

/** Step-time overhead tiers: up to `maxAdapters` distinct adapters in a batch → `+fraction`. */
export const LORA_STEP_TIERS: readonly {
  readonly maxAdapters: number;
  readonly fraction: number;
}[] = [
  { maxAdapters: 8, fraction: 0.02 },
  { maxAdapters: 16, fraction: 0.035 },
  { maxAdapters: Infinity, fraction: 0.06 },
];

/** The fraction a step slows by with `distinctAdapters` adapters in its batch. */
export function loraStepOverhead(distinctAdapters: number): number {
  if (distinctAdapters <= 0) return 0;
  return LORA_STEP_TIERS.find((t) => distinctAdapters <= t.maxAdapters)?.fraction ?? 0;
}

/** Simulated seconds to load an adapter of `bytes`. */
export function loraLoadS(bytes: number): number {
  return LORA_LOAD_BASE_S + Math.max(0, bytes) / LORA_LOAD_BYTES_PER_S;
}
