/**
 * The GPU health policy: a pure function of (previous state, probe outcome, Xid events, now) →
 * (new state, transitions). No I/O, no clock: the monitor feeds it. GPUs are keyed by normalized
 * PCI bus id, the one identity that nvidia-smi, rocm-smi, "Unable to determine…" lines and kernel
 * Xid lines all share.
 *
 * Hysteresis: a finding raises health at once; health comes back down only after
 * `healthyHoldDownMs` has passed since the last time a finding of that severity was seen (for an
 * Xid, since the last Xid). See src/gpu/README.md for the rule table. The cycle's observations are
 * gathered in health-observation.ts; the state's shape is health-state.ts.
 */
import type { GpuHealthState, XidEvent } from './gpu-facts.js';
import { observe, type Observation } from './health-observation.js';
import type {
  GpuTrack,
  HealthPolicyConfig,
  HealthState,
  HealthTransition,
  ProbeOutcome,
} from './health-state.js';

function holdNote(last: number | null, nowMs: number, holdDownMs: number): string {
  return `hold-down: ${Math.ceil(((last ?? nowMs) + holdDownMs - nowMs) / 1000)} s left`;
}

function decide(
  prev: GpuTrack | undefined,
  o: Observation,
  busId: string,
  nowMs: number,
  config: HealthPolicyConfig,
): GpuTrack {
  const persisted = o.fresh ? o.sampleFindings : (prev?.factFindings ?? []);
  const findings = [...persisted, ...o.eventFindings];
  const failedNow = findings.filter((f) => f.severity === 'failed').map((f) => f.reason);
  const degradedNow = findings.filter((f) => f.severity === 'degraded').map((f) => f.reason);
  const lastFailedMs = failedNow.length > 0 ? nowMs : (prev?.lastFailedMs ?? null);
  const lastDegradedMs = degradedNow.length > 0 ? nowMs : (prev?.lastDegradedMs ?? null);
  const heldFailedReasons = failedNow.length > 0 ? failedNow : (prev?.heldFailedReasons ?? []);
  const heldDegradedReasons =
    degradedNow.length > 0 ? degradedNow : (prev?.heldDegradedReasons ?? []);
  const holding = (last: number | null): boolean =>
    last !== null && nowMs - last < config.healthyHoldDownMs;
  const isFailed = failedNow.length > 0 || holding(lastFailedMs);
  const isDegraded = !isFailed && (degradedNow.length > 0 || holding(lastDegradedMs));
  const health: GpuHealthState = isFailed ? 'failed' : isDegraded ? 'degraded' : 'healthy';
  let reasons: string[] = [];
  if (health === 'failed') {
    reasons =
      failedNow.length > 0
        ? [...failedNow, ...degradedNow]
        : [
            ...heldFailedReasons,
            ...degradedNow,
            holdNote(lastFailedMs, nowMs, config.healthyHoldDownMs),
          ];
  } else if (health === 'degraded') {
    reasons =
      degradedNow.length > 0
        ? degradedNow
        : [...heldDegradedReasons, holdNote(lastDegradedMs, nowMs, config.healthyHoldDownMs)];
  }
  return {
    health: {
      ...o.identity,
      busId,
      health,
      reasons,
      sinceMs: prev?.health.health === health ? prev.health.sinceMs : nowMs,
    },
    facts: o.facts,
    factFindings: persisted,
    lastFailedMs,
    lastDegradedMs,
    heldFailedReasons,
    heldDegradedReasons,
  };
}

/**
 * Applies one cycle. `probe` is this cycle's outcome (`skipped` on a kernel-log-only tick), `xids`
 * the Xid events read since the last call. Returns the new state and every GPU whose health state
 * changed (a GPU seen for the first time has `from: null`). Pure: the inputs are not mutated.
 */
export function evaluateHealth(
  prev: HealthState,
  input: {
    readonly probe: ProbeOutcome;
    readonly xids: readonly XidEvent[];
    readonly nowMs: number;
  },
  config: HealthPolicyConfig,
): { state: HealthState; transitions: HealthTransition[] } {
  const { probe, xids, nowMs } = input;
  const failures =
    probe.kind === 'error'
      ? prev.probeConsecutiveFailures + 1
      : probe.kind === 'sample'
        ? 0
        : prev.probeConsecutiveFailures;
  const obs = observe(prev, probe, xids, config, failures);
  const gpus = new Map<string, GpuTrack>();
  const transitions: HealthTransition[] = [];
  for (const [busId, o] of obs) {
    const before = prev.gpus.get(busId);
    const track = decide(before, o, busId, nowMs, config);
    gpus.set(busId, track);
    if (before?.health.health !== track.health.health)
      transitions.push({
        busId,
        from: before?.health.health ?? null,
        to: track.health.health,
        health: track.health,
      });
  }
  return {
    state: {
      tool: probe.kind === 'sample' ? probe.sample.tool : prev.tool,
      gpus: new Map(
        [...gpus].sort((a, b) => a[1].health.index - b[1].health.index || a[0].localeCompare(b[0])),
      ),
      probeConsecutiveFailures: failures,
      lastProbeError:
        probe.kind === 'error' ? probe.code : probe.kind === 'sample' ? null : prev.lastProbeError,
      lastProbeMs: probe.kind === 'sample' ? nowMs : prev.lastProbeMs,
    },
    transitions,
  };
}
