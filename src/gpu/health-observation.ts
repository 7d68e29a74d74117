/**
 * One cycle's observations of every GPU, before the policy decides (health-policy.ts): the
 * findings of this cycle's sample (a row, a lost line, a GPU gone missing), of the Xid events read
 * since the last cycle, and of a probe failing past its bound.
 */
import { factFindings, xidFinding, type Finding } from './health-rules.js';
import type { GpuFacts, GpuSample, XidEvent } from './gpu-facts.js';
import type { GpuTrack, HealthPolicyConfig, HealthState, ProbeOutcome } from './health-state.js';

/** What one cycle saw of one GPU. */
export interface Observation {
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

/** Every GPU's observation this cycle: the known ones, and any the sample or an Xid names. */
export function observe(
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
