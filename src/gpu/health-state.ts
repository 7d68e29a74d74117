/**
 * The GPU health policy's state and settings: what it remembers per GPU between cycles, the probe
 * outcome it is fed, and the transitions it reports. The policy itself is health-policy.ts.
 */
import type { ErrorCode } from '../shared/index.js';
import type { Finding, HealthThresholds } from './health-rules.js';
import type { GpuFacts, GpuHealth, GpuHealthState, GpuSample, GpuVendorTool } from './gpu-facts.js';

/** Policy settings (config keys under `gpu.`). */
export interface HealthPolicyConfig extends HealthThresholds {
  /** How long a GPU must be free of findings before it returns to a better state, ms. Default 60000. */
  readonly healthyHoldDownMs: number;
  /** Consecutive failed probe cycles after which every known GPU is failed. Default 3. */
  readonly probeFailuresBeforeFailed: number;
}

/** What the probe did this cycle: a sample, an error (with its AppError code), or not run. */
export type ProbeOutcome =
  | { readonly kind: 'sample'; readonly sample: GpuSample }
  | { readonly kind: 'error'; readonly code: ErrorCode; readonly message: string }
  | { readonly kind: 'skipped' };

/** Policy memory for one GPU. */
export interface GpuTrack {
  readonly health: GpuHealth;
  readonly facts: GpuFacts | null;
  /** Findings from the last fresh facts, reused on cycles without a sample. */
  readonly factFindings: readonly Finding[];
  readonly lastFailedMs: number | null;
  readonly lastDegradedMs: number | null;
  readonly heldFailedReasons: readonly string[];
  readonly heldDegradedReasons: readonly string[];
}

/** The whole policy state; start from {@link initialHealthState}. */
export interface HealthState {
  readonly tool: GpuVendorTool;
  /** Tracks by normalized bus id. */
  readonly gpus: ReadonlyMap<string, GpuTrack>;
  readonly probeConsecutiveFailures: number;
  readonly lastProbeError: string | null;
  readonly lastProbeMs: number | null;
}

/** One GPU's health change. */
export interface HealthTransition {
  readonly busId: string;
  readonly from: GpuHealthState | null;
  readonly to: GpuHealthState;
  readonly health: GpuHealth;
}

/** The empty state before the first probe. */
export function initialHealthState(tool: GpuVendorTool = 'none'): HealthState {
  return {
    tool,
    gpus: new Map(),
    probeConsecutiveFailures: 0,
    lastProbeError: null,
    lastProbeMs: null,
  };
}
