/**
 * A GPU profile: what one model sustains on one GPU type under an SLO (docs/gpu-profiles.md).
 * Throughput is a matrix over (input length, output length) buckets, each the highest request
 * rate at which the SLO still held, measured (or simulated) with every request of that shape.
 * Bucket bounds are upper bounds: a request of 300 input tokens is served at the rate of the
 * first input bucket ≥ 300, so a lookup never promises more than was measured.
 */

/** Format tag of a profile file; the validator refuses any other. */
export const GPU_PROFILE_FORMAT = 'infernode.io/gpu-profile/v1';

/** The latency targets a profile's rates were measured against. */
export interface ProfileSlo {
  /** Time to first token at `percentile`, ms. */
  readonly ttftMs: number;
  /** Time per output token (mean inter-token gap of a request) at `percentile`, ms. */
  readonly tpotMs: number;
  /** The percentile both targets apply to (e.g. 99). */
  readonly percentile: number;
}

/** One (model, GPU type) profile. */
export interface GpuProfile {
  readonly format: typeof GPU_PROFILE_FORMAT;
  /** Served model name (what requests name). */
  readonly model: string;
  /** GPU type, e.g. `H100`, `A100`, `L40S`. */
  readonly gpu: string;
  /** Price of one replica (one engine on this GPU type) per hour, any currency, > 0. */
  readonly costPerHour: number;
  readonly slo: ProfileSlo;
  /** Input-length bucket upper bounds, tokens, strictly increasing. */
  readonly inputTokens: readonly number[];
  /** Output-length bucket upper bounds, tokens, strictly increasing. */
  readonly outputTokens: readonly number[];
  /**
   * maxRps[i][j]: requests/s one replica sustains within the SLO when every request has
   * inputTokens[i] input and outputTokens[j] output tokens; 0 = the SLO is not met at any rate.
   */
  readonly maxRps: readonly (readonly number[])[];
  /** Where the numbers come from (free text: a bench command, a measurement campaign). */
  readonly source?: string;
}

/**
 * Requests/s one replica sustains for requests of `inputTokens` / `outputTokens` under the
 * profile's SLO: the cell of the smallest buckets that hold both lengths. 0 when the shape is
 * beyond the profile's largest bucket or the SLO is not met there.
 */
export function profileMaxRps(
  profile: GpuProfile,
  inputTokens: number,
  outputTokens: number,
): number {
  const i = profile.inputTokens.findIndex((bound) => bound >= inputTokens);
  const j = profile.outputTokens.findIndex((bound) => bound >= outputTokens);
  if (i < 0 || j < 0) return 0;
  return profile.maxRps[i]?.[j] ?? 0;
}
