import { describe, expect, it } from 'vitest';
import {
  DEFAULT_GPU_CONFIG,
  evaluateHealth,
  initialHealthState,
  type GpuFacts,
  type HealthState,
  type ProbeOutcome,
  type XidEvent,
} from '../../../src/gpu/index.js';
import { ManualClock } from '../../helpers/manual-clock.js';
import { aGpu, aSample } from '../../helpers/gpu-builders.js';

const config = { ...DEFAULT_GPU_CONFIG, healthyHoldDownMs: 60_000 };
const sample = (...gpus: GpuFacts[]): ProbeOutcome => ({ kind: 'sample', sample: aSample(gpus) });
const xid = (code: number, busId = '0000:19:00.0', detail = 'pid=1, name=x'): XidEvent => ({
  xid: code,
  busId,
  detail,
  logTime: '',
});

/** Drives the policy like the monitor does, with a ManualClock. */
class Harness {
  readonly clock = new ManualClock();
  state: HealthState = initialHealthState('nvidia-smi');

  step(probe: ProbeOutcome, xids: XidEvent[] = [], cfg = config) {
    const out = evaluateHealth(this.state, { probe, xids, nowMs: this.clock.now() }, cfg);
    this.state = out.state;
    return out;
  }

  health(busId = '0000:19:00.0') {
    return this.state.gpus.get(busId)?.health;
  }
}

describe('evaluateHealth: rules on one sample', () => {
  it.each<[string, Partial<GpuFacts>, 'healthy' | 'degraded' | 'failed', string | null]>([
    ['idle H100', {}, 'healthy', null],
    ['T.Limit headroom 0 °C', { temperatureTlimitC: 0 }, 'degraded', 'T.Limit headroom 0'],
    ['T.Limit headroom -3 °C', { temperatureTlimitC: -3 }, 'degraded', 'slowdown threshold'],
    ['T.Limit headroom 1 °C', { temperatureTlimitC: 1 }, 'healthy', null],
    [
      '95 °C without T.Limit',
      { temperatureTlimitC: null, temperatureC: 95 },
      'degraded',
      '≥ slowdown threshold 90',
    ],
    [
      '95 °C with 20 °C T.Limit headroom',
      { temperatureC: 95, temperatureTlimitC: 20 },
      'healthy',
      null,
    ],
    [
      'HW thermal slowdown bit',
      { clocksEventReasonsActive: 0x40 },
      'degraded',
      'hwThermalSlowdown',
    ],
    ['SW power cap only', { clocksEventReasonsActive: 0x4 }, 'healthy', null],
    [
      'old uncorrectable ECC count',
      { eccUncorrectedVolatile: 2 },
      'degraded',
      'since last reset: 2',
    ],
    ['row remap pending', { remappedRowsPending: true }, 'degraded', 'GPU reset required'],
    ['row remap failure', { remappedRowsFailure: true }, 'failed', 'remapping failure'],
    ['page retirement pending', { retiredPagesPending: true }, 'degraded', 'retirement pending'],
    [
      '60 retired pages',
      { retiredPagesSbe: 40, retiredPagesDbe: 20 },
      'failed',
      'retired pages 60',
    ],
    ['PCIe x8 of x16', { pcieLinkWidthCurrent: 8 }, 'degraded', 'width x8 < max x16'],
    ['PCIe gen 1 of 5 at idle', { pcieLinkGenCurrent: 1 }, 'healthy', null],
    [
      'PCIe gen 3 of 5 under load',
      { pcieLinkGenCurrent: 3, utilizationGpuPct: 80 },
      'degraded',
      'gen 3 < max gen 5',
    ],
    [
      'PCIe gen 3 of 5 under MIG (no utilization)',
      { pcieLinkGenCurrent: 3, utilizationGpuPct: null },
      'healthy',
      null,
    ],
    [
      'driver recovery action',
      { recoveryAction: 'Drain and Reset' },
      'failed',
      'recovery action: Drain and Reset',
    ],
  ])('%s → %s', (_name, overrides, want, reason) => {
    const h = new Harness();
    const { transitions } = h.step(sample(aGpu(0, overrides)));
    expect(transitions).toEqual([expect.objectContaining({ from: null, to: want })]);
    expect(h.health()?.health).toBe(want);
    if (reason !== null) expect(h.health()?.reasons.join('; ')).toContain(reason);
    else expect(h.health()?.reasons).toEqual([]);
  });
});

describe('evaluateHealth: transitions and hysteresis', () => {
  it('fails at once when the uncorrectable ECC count increases', () => {
    const h = new Harness();
    h.step(sample(aGpu(0)));
    h.clock.advance(5000);
    const { transitions } = h.step(sample(aGpu(0, { eccUncorrectedVolatile: 1 })));
    expect(transitions).toEqual([expect.objectContaining({ from: 'healthy', to: 'failed' })]);
    expect(h.health()?.reasons[0]).toContain('increased 0 → 1');
    expect(h.health()?.sinceMs).toBe(h.clock.now());
  });

  it('keeps an Xid 79 failure through the hold-down, then heals; a new Xid restarts it', () => {
    const h = new Harness();
    h.step(sample(aGpu(0)));
    h.step({ kind: 'skipped' }, [xid(79)]);
    expect(h.health()).toMatchObject({
      health: 'failed',
      reasons: [expect.stringContaining('GPU_HAS_FALLEN_OFF_THE_BUS')],
    });
    h.clock.advance(30_000);
    h.step(sample(aGpu(0)));
    expect(h.health()?.health).toBe('failed');
    expect(h.health()?.reasons).toContain('hold-down: 30 s left');
    h.step({ kind: 'skipped' }, [xid(119)]);
    h.clock.advance(59_999);
    expect(h.step(sample(aGpu(0))).transitions).toEqual([]);
    h.clock.advance(1);
    const { transitions } = h.step(sample(aGpu(0)));
    expect(transitions).toEqual([expect.objectContaining({ from: 'failed', to: 'healthy' })]);
    expect(h.health()).toMatchObject({ reasons: [], sinceMs: h.clock.now() });
  });

  it('records Xid 63/92/94 without changing health', () => {
    const h = new Harness();
    h.step(sample(aGpu(0)));
    expect(h.step({ kind: 'skipped' }, [xid(63), xid(92), xid(94)]).transitions).toEqual([]);
  });

  it('fails a GPU nvidia-smi cannot reach ("Unable to determine the device handle")', () => {
    const h = new Harness();
    h.step(sample(aGpu(0), aGpu(1)));
    const lost = {
      busId: '0000:3b:00.0',
      index: 1,
      message: 'Unable to determine the device handle for GPU1: 0000:3B:00.0: Unknown Error',
    };
    const { transitions } = h.step({ kind: 'sample', sample: aSample([aGpu(0)], [lost]) });
    expect(transitions).toEqual([
      expect.objectContaining({ busId: '0000:3b:00.0', from: 'healthy', to: 'failed' }),
    ]);
    expect(h.health('0000:3b:00.0')).toMatchObject({
      index: 1,
      uuid: aGpu(1).uuid,
      reasons: [expect.stringContaining('GPU lost')],
    });
  });

  it('fails a GPU that vanished from the output, and a lost GPU never seen before', () => {
    const h = new Harness();
    h.step(sample(aGpu(0), aGpu(1)));
    h.step(sample(aGpu(0)));
    expect(h.health('0000:3b:00.0')).toMatchObject({
      health: 'failed',
      reasons: [expect.stringContaining('missing from nvidia-smi')],
    });
    const fresh = new Harness();
    fresh.step({
      kind: 'sample',
      sample: aSample([], [{ busId: '0000:91:00.0', index: null, message: 'Unable…' }]),
    });
    expect(fresh.health('0000:91:00.0')).toMatchObject({ index: -1, health: 'failed' });
  });

  it('fails every GPU only after N consecutive probe errors', () => {
    const h = new Harness();
    h.step(sample(aGpu(0), aGpu(1)));
    const err: ProbeOutcome = { kind: 'error', code: 'GPU_PROBE_TIMEOUT', message: 't' };
    expect(h.step(err).transitions).toEqual([]);
    expect(h.step(err).transitions).toEqual([]);
    const { transitions, state } = h.step(err);
    expect(transitions.map((t) => t.to)).toEqual(['failed', 'failed']);
    expect(state).toMatchObject({
      probeConsecutiveFailures: 3,
      lastProbeError: 'GPU_PROBE_TIMEOUT',
    });
    expect(h.health()?.reasons[0]).toContain('GPU_PROBE_TIMEOUT (3 consecutive)');
  });

  it('escalates degraded → failed at once and steps down failed → degraded only after the hold-down', () => {
    const h = new Harness();
    h.step(sample(aGpu(0, { remappedRowsPending: true })));
    h.clock.advance(1000);
    h.step(sample(aGpu(0, { remappedRowsPending: true, remappedRowsFailure: true })));
    expect(h.health()?.health).toBe('failed');
    h.clock.advance(1000);
    h.step(sample(aGpu(0, { remappedRowsPending: true })));
    expect(h.health()?.health).toBe('failed');
    h.clock.advance(60_000);
    h.step(sample(aGpu(0, { remappedRowsPending: true })));
    expect(h.health()).toMatchObject({
      health: 'degraded',
      reasons: ['row remap pending: GPU reset required'],
    });
  });

  it('keeps sample findings on kernel-log-only ticks', () => {
    const h = new Harness();
    h.step(sample(aGpu(0, { pcieLinkWidthCurrent: 4 })));
    h.clock.advance(120_000);
    h.step({ kind: 'skipped' }, []);
    expect(h.health()?.health).toBe('degraded');
  });

  it('heals at once with a zero hold-down, and never mutates its input', () => {
    const h = new Harness();
    const cfg = { ...config, healthyHoldDownMs: 0 };
    h.step(sample(aGpu(0)), [], cfg);
    const before = h.state;
    const snapshot = JSON.stringify([...before.gpus]);
    h.step(sample(aGpu(0)), [xid(79)], cfg);
    expect(h.health()?.health).toBe('failed');
    expect(JSON.stringify([...before.gpus])).toBe(snapshot);
    h.step(sample(aGpu(0)), [], cfg);
    expect(h.health()?.health).toBe('healthy');
  });
});
