/**
 * The health rules: pure functions from one GPU's facts or one Xid event to findings. The
 * thresholds are in {@link HealthThresholds}; the table in src/gpu/README.md lists every rule.
 */
import { UNKNOWN_XID, xidCatalogEntry } from './xid-catalog.js';
import type { GpuFacts, XidEvent } from './gpu-facts.js';

/** One reason a GPU is not healthy. */
export interface Finding {
  readonly severity: 'degraded' | 'failed';
  readonly reason: string;
}

/** Rule thresholds; every field is a config key under `gpu.` (see gpuConfigSpec). */
export interface HealthThresholds {
  /** Degraded when the NVIDIA T.Limit headroom is at or below this, °C. Default 0 (at slowdown). */
  readonly tlimitDegradedC: number;
  /**
   * Degraded at or above this temperature when the tool gives no T.Limit (AMD, older NVIDIA), °C.
   * Default 90 (below the 93 °C slowdown threshold of a T4). 0 disables the check.
   */
  readonly slowdownTemperatureC: number;
  /** PCIe gen below max degrades only at or above this utilization, %. Default 20 (idle downshift). */
  readonly pcieGenMinUtilizationPct: number;
  /** Failed when retired pages (SBE + DBE) reach this count. Default 60 (RMA guidance). */
  readonly retiredPagesFailedCount: number;
}

/** NVML clock event reason bits that mean the GPU is slowing itself down for heat or power. */
export const SLOWDOWN_REASON_BITS = {
  hwSlowdown: 0x8,
  swThermalSlowdown: 0x20,
  hwThermalSlowdown: 0x40,
  hwPowerBrakeSlowdown: 0x80,
} as const;

function thermalFindings(f: GpuFacts, t: HealthThresholds): Finding[] {
  const out: Finding[] = [];
  if (f.temperatureTlimitC !== null && f.temperatureTlimitC <= t.tlimitDegradedC) {
    out.push({
      severity: 'degraded',
      reason: `temperature at slowdown threshold: T.Limit headroom ${f.temperatureTlimitC} °C ≤ ${t.tlimitDegradedC} °C`,
    });
  } else if (
    f.temperatureTlimitC === null &&
    t.slowdownTemperatureC > 0 &&
    f.temperatureC !== null &&
    f.temperatureC >= t.slowdownTemperatureC
  ) {
    out.push({
      severity: 'degraded',
      reason: `temperature ${f.temperatureC} °C ≥ slowdown threshold ${t.slowdownTemperatureC} °C`,
    });
  }
  const active = f.clocksEventReasonsActive ?? 0;
  const names = Object.entries(SLOWDOWN_REASON_BITS)
    .filter(([, bit]) => (active & bit) !== 0)
    .map(([name]) => name);
  if (names.length > 0)
    out.push({ severity: 'degraded', reason: `clock slowdown active: ${names.join(', ')}` });
  return out;
}

function memoryFindings(
  f: GpuFacts,
  prevUncorrected: number | null,
  t: HealthThresholds,
): Finding[] {
  const out: Finding[] = [];
  const ue = f.eccUncorrectedVolatile;
  if (ue !== null && prevUncorrected !== null && ue > prevUncorrected) {
    out.push({
      severity: 'failed',
      reason: `uncorrectable ECC errors increased ${prevUncorrected} → ${ue}`,
    });
  } else if (ue !== null && ue > 0) {
    out.push({ severity: 'degraded', reason: `uncorrectable ECC errors since last reset: ${ue}` });
  }
  if (f.remappedRowsFailure === true)
    out.push({ severity: 'failed', reason: 'row remapping failure occurred (RMA candidate)' });
  if (f.remappedRowsPending === true)
    out.push({ severity: 'degraded', reason: 'row remap pending: GPU reset required' });
  if (f.retiredPagesPending === true)
    out.push({ severity: 'degraded', reason: 'page retirement pending: GPU reset required' });
  const retired = (f.retiredPagesSbe ?? 0) + (f.retiredPagesDbe ?? 0);
  if (retired >= t.retiredPagesFailedCount)
    out.push({
      severity: 'failed',
      reason: `retired pages ${retired} ≥ ${t.retiredPagesFailedCount}`,
    });
  return out;
}

function linkFindings(f: GpuFacts, t: HealthThresholds): Finding[] {
  const out: Finding[] = [];
  const { pcieLinkWidthCurrent: w, pcieLinkWidthMax: wMax, pcieLinkGenCurrent: g } = f;
  if (w !== null && wMax !== null && w < wMax)
    out.push({ severity: 'degraded', reason: `PCIe link width x${w} < max x${wMax}` });
  const busy = (f.utilizationGpuPct ?? 0) >= t.pcieGenMinUtilizationPct;
  if (g !== null && f.pcieLinkGenMax !== null && g < f.pcieLinkGenMax && busy)
    out.push({
      severity: 'degraded',
      reason: `PCIe link gen ${g} < max gen ${f.pcieLinkGenMax} under load (${f.utilizationGpuPct ?? 0} %)`,
    });
  return out;
}

/**
 * Findings from one GPU's facts. `prevUncorrected` is the uncorrectable ECC count from the
 * previous sample (`null` on first sight), so an increase can be told from an old count.
 */
export function factFindings(
  facts: GpuFacts,
  prevUncorrected: number | null,
  thresholds: HealthThresholds,
): Finding[] {
  const out = [
    ...thermalFindings(facts, thresholds),
    ...memoryFindings(facts, prevUncorrected, thresholds),
    ...linkFindings(facts, thresholds),
  ];
  const action = facts.recoveryAction;
  if (action !== null && action.toLowerCase() !== 'none')
    out.push({ severity: 'failed', reason: `driver recovery action: ${action}` });
  return out;
}

/** `… changed from 0x0 (None) to 0x4 (Drain and Reset)` → 4. */
const RECOVERY_TO = /to 0x([0-9a-f]+)\s*\(([^)]*)\)/i;

/**
 * The finding for one Xid event, or `null` when the catalog says to record it only (it is still
 * counted and logged by the monitor).
 */
export function xidFinding(event: XidEvent): Finding | null {
  const entry = xidCatalogEntry(event.xid);
  if (entry === undefined)
    return {
      severity: 'degraded',
      reason: `xid ${event.xid} (${UNKNOWN_XID.mnemonic}): not in NVIDIA's catalog, check it`,
    };
  const reason = `xid ${event.xid} (${entry.mnemonic}): ${entry.bucket}`;
  switch (entry.action) {
    case 'reboot-node':
    case 'reset-gpu':
    case 'drain-workflow':
    case 'restart-vm':
      return { severity: 'failed', reason };
    case 'check-hardware':
      return { severity: 'degraded', reason };
    case 'restart-app':
    case 'record':
      return null;
    case 'per-line':
      return event.xid === 150 || /\bFatal\b|LINK_DOWN/.test(event.detail)
        ? { severity: 'failed', reason: `${reason}, fatal` }
        : null;
    case 'recovery-action': {
      const m = RECOVERY_TO.exec(event.detail);
      const code = m === null ? 0 : parseInt(m[1] ?? '0', 16);
      if (code === 0) return null;
      // NVML nvmlDeviceGpuRecoveryAction_t: 1 reset, 2 node reboot, 3 drain P2P, 4 drain and
      // reset act on the GPU; 5 (recover IMEX domain) is a fabric-level action.
      return { severity: code === 5 ? 'degraded' : 'failed', reason: `${reason}: ${m?.[2] ?? ''}` };
    }
  }
}
