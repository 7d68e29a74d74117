/**
 * The GPU health policy: a pure function of (previous state, probe outcome, Xid events, now) →
 * (new state, transitions). No I/O, no clock: the monitor feeds it. GPUs are keyed by normalized
 * PCI bus id, the one identity that nvidia-smi, rocm-smi, "Unable to determine…" lines and kernel
 * Xid lines all share.
 *
 * Hysteresis: a finding raises health at once; health comes back down only after
 * `healthyHoldDownMs` has passed since the last time a finding of that severity was seen (for an
 * Xid, since the last Xid). See src/gpu/README.md for the rule table.
 */
import type { ErrorCode } from '../shared/index.js';
import { factFindings, xidFinding, type Finding, type HealthThresholds } from './health-rules.js';
import type {
  GpuFacts,
  GpuHealth,
  GpuHealthState,
  GpuSample,
  GpuVendorTool,
  XidEvent,
} from './gpu-facts.js';

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

interface Observation {
  facts: GpuFacts | null;
  /** True when this cycle's sample said something about the GPU (row, lost line, or absence). */
  fresh: boolean;
  /** Findings from this cycle's sample; they persist on cycles without one. */
  sampleFindings: Finding[];
  /** Findings from Xids and probe failures; they last only through the hold-down. */
  eventFindings: Finding[];
  identity: { index: number; uuid: string; name: string };
}

function observation(track: GpuTrack | undefined): Observation {
  return {
    facts: track?.facts ?? null,
    fresh: false,
    sampleFindings: [],
    eventFindings: [],
    identity: {
      index: track?.health.index ?? -1,
      uuid: track?.health.uuid ?? '',
      name: track?.health.name ?? '',
    },
  };
}

function observeSample(
  state: HealthState,
  sample: GpuSample,
  obs: Map<string, Observation>,
  get: (busId: string) => Observation,
  config: HealthPolicyConfig,
): void {
  for (const f of sample.gpus) {
    const o = get(f.busId);
    const prevUe = state.gpus.get(f.busId)?.facts?.eccUncorrectedVolatile ?? null;
    o.facts = f;
    o.fresh = true;
    o.identity = { index: f.index, uuid: f.uuid, name: f.name };
    o.sampleFindings.push(...factFindings(f, prevUe, config));
  }
  for (const lost of sample.lost) {
    const o = get(lost.busId);
    if (o.identity.index < 0 && lost.index !== null) o.identity.index = lost.index;
    o.fresh = true;
    o.sampleFindings.push({ severity: 'failed', reason: `GPU lost: ${lost.message}` });
  }
  for (const [busId, o] of obs) {
    if (!o.fresh && state.gpus.has(busId)) {
      o.fresh = true;
      o.sampleFindings.push({
        severity: 'failed',
        reason: `GPU missing from ${sample.tool} output (was present)`,
      });
    }
  }
}

function observe(
  state: HealthState,
  probe: ProbeOutcome,
  xids: readonly XidEvent[],
  config: HealthPolicyConfig,
  failures: number,
): Map<string, Observation> {
  const obs = new Map<string, Observation>();
  const get = (busId: string): Observation => {
    let o = obs.get(busId);
    if (o === undefined) {
      o = observation(state.gpus.get(busId));
      obs.set(busId, o);
    }
    return o;
  };
  for (const busId of state.gpus.keys()) get(busId);
  if (probe.kind === 'sample') observeSample(state, probe.sample, obs, get, config);
  if (probe.kind === 'error' && failures >= config.probeFailuresBeforeFailed) {
    for (const o of obs.values())
      o.eventFindings.push({
        severity: 'failed',
        reason: `GPU probe failing: ${probe.code} (${failures} consecutive)`,
      });
  }
  for (const event of xids) {
    const finding = xidFinding(event);
    if (finding === null) continue;
    const when = event.logTime === '' ? '' : ` [${event.logTime}]`;
    get(event.busId).eventFindings.push({ ...finding, reason: `${finding.reason}${when}` });
  }
  return obs;
}

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
