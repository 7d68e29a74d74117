/**
 * Hardware profiles and the analytic step-time model of reference/perf.md §9 (BLIS
 * trained-physics coefficients plus a roofline). Pure: a step's shape in, seconds out.
 *
 *   step = β7 + β5·L + β6·B
 *        + max(prefill FLOPs / (peak·MFU_prefill), prefill bytes / BW)
 *        + β3·W/BW + β2b·Σctx·kvBytesPerToken/BW
 *   step × (1 + LoRA tier of the batch's distinct adapters)   (lora-cost.ts)
 */
import { loraStepOverhead } from './lora-cost.js';

/** One model on one accelerator: everything the step-time model needs. */
export interface HardwareProfile {
  /** Profile id, kebab-case, e.g. `llama-8b-h100`. */
  readonly name: string;
  /** Weight bytes read per step (W), bytes. Llama-3.1-8B bf16 ≈ 16.06e9. */
  readonly weightBytes: number;
  /** Transformer layers (L). */
  readonly numLayers: number;
  /** KV-cache bytes per token (2 × layers × kv heads × head dim × dtype bytes). */
  readonly kvBytesPerToken: number;
  /** Peak dense bf16 throughput, FLOP/s. */
  readonly peakFlopsPerS: number;
  /** Memory bandwidth, bytes/s. */
  readonly memoryBandwidthBytesPerS: number;
  /** Model FLOPs utilisation reached by prefill (0–1). */
  readonly prefillMfu: number;
}

/** BLIS coefficients shared by every profile (perf.md §9.1). */
export const STEP_COEFFICIENTS = {
  /** Fixed cost per step, seconds (β7 ≈ 126 µs). */
  perStepS: 126e-6,
  /** Cost per layer per step, seconds (β5 ≈ 32 µs). */
  perLayerS: 32e-6,
  /** Cost per request in the batch, seconds (β6 ≈ 4.4 µs). */
  perRequestS: 4.4e-6,
  /** Weight-read multiplier over the bandwidth roofline (β3 ≈ 1.36). */
  weightReadFactor: 1.36,
  /** KV-read multiplier over the bandwidth roofline (β2b ≈ 1.95). */
  kvReadFactor: 1.95,
} as const;

const LLAMA_8B = {
  weightBytes: 16.06e9,
  numLayers: 32,
  kvBytesPerToken: 128 * 1024,
} as const;

/** Named profiles; `llama-8b-h100` is the default. */
export const HARDWARE_PROFILES: ReadonlyMap<string, HardwareProfile> = new Map(
  [
    {
      name: 'llama-8b-h100',
      ...LLAMA_8B,
      peakFlopsPerS: 989.5e12,
      memoryBandwidthBytesPerS: 3.35e12,
      prefillMfu: 0.45,
    },
    {
      name: 'llama-8b-a100',
      ...LLAMA_8B,
      peakFlopsPerS: 312e12,
      memoryBandwidthBytesPerS: 2.039e12,
      prefillMfu: 0.38,
    },
    {
      // 48 GB: fewer KV blocks (the caller sizes numGpuBlocks), and a quarter of H100's bandwidth.
      name: 'llama-8b-l40s',
      ...LLAMA_8B,
      peakFlopsPerS: 362e12,
      memoryBandwidthBytesPerS: 0.864e12,
      prefillMfu: 0.32,
    },
  ].map((p) => [p.name, p] as const),
);

/** The default profile id. */
export const DEFAULT_PROFILE = 'llama-8b-h100';

/** What one engine step did, as far as its duration depends on it. */
export interface StepShape {
  /** Requests in the batch (prefill chunks and decodes). */
  readonly batchSize: number;
  /** Prompt tokens computed this step (chunked prefill). */
  readonly prefillTokens: number;
  /** Σ context length (tokens) of the requests decoding this step. */
  readonly decodeContextTokens: number;
  /** Distinct LoRA adapters in the batch (lora-cost.ts); absent: none. */
  readonly activeAdapters?: number;
}

/** Duration of one engine step on `profile`, in simulated seconds. */
export function stepTimeS(profile: HardwareProfile, shape: StepShape): number {
  const c = STEP_COEFFICIENTS;
  const bw = profile.memoryBandwidthBytesPerS;
  const overhead = c.perStepS + c.perLayerS * profile.numLayers + c.perRequestS * shape.batchSize;
  // 2 FLOPs per parameter per token; parameters = weight bytes / 2 (bf16).
  const prefillFlops = shape.prefillTokens * profile.weightBytes;
  const prefillS = Math.max(
    prefillFlops / (profile.peakFlopsPerS * profile.prefillMfu),
    (shape.prefillTokens * profile.kvBytesPerToken) / bw,
  );
  const weightsS = (c.weightReadFactor * profile.weightBytes) / bw;
  const kvReadS = (c.kvReadFactor * shape.decodeContextTokens * profile.kvBytesPerToken) / bw;
  const baseS = overhead + prefillS + weightsS + kvReadS;
  return baseS * (1 + loraStepOverhead(shape.activeAdapters ?? 0));
}
