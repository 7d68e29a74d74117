/**
 * A GpuMonitor over fakes (probe, kernel log, host) with a manual clock: what the GPU monitor's
 * own tests and the agent's GPU reporting tests drive by hand.
 */
import {
  DEFAULT_GPU_CONFIG,
  GpuMonitor,
  type CallOptions,
  type GpuProbe,
  type GpuReport,
  type GpuSample,
  type HostProbe,
  type KernelLogSource,
} from '../../src/gpu/index.js';
import { AppError, Registry, silentLogger } from '../../src/shared/index.js';
import { aGpu, aSample } from './gpu-builders.js';
import { ManualClock } from './manual-clock.js';

/** A probe that answers the sample (or error) the test sets. */
export class FakeGpuProbe implements GpuProbe {
  readonly tool = 'nvidia-smi' as const;
  next: GpuSample | AppError = aSample([aGpu(0), aGpu(1)]);
  sample(_options: CallOptions): Promise<GpuSample> {
    return this.next instanceof AppError ? Promise.reject(this.next) : Promise.resolve(this.next);
  }
}

/** A kernel log whose new lines the test pushes. */
export class FakeKernelLog implements KernelLogSource {
  pending: string[] = [];
  readNewLines(): Promise<string[]> {
    const out = this.pending;
    this.pending = [];
    return Promise.resolve(out);
  }
}

/** A host with fixed facts. */
export const fakeHost: HostProbe = {
  sample: (path) =>
    Promise.resolve({
      cpuCount: 2,
      cpuLoad1m: 0.5,
      cpuBusyPct: 10,
      memoryTotalBytes: 8,
      memoryAvailableBytes: 4,
      cacheDisk: { path, mount: '/', totalBytes: 10, usedBytes: 5, availableBytes: 5 },
    }),
};

/** A monitor on node-a over the fakes; every report it publishes lands in `reports`. */
export function gpuMonitorHarness(overrides: Partial<typeof DEFAULT_GPU_CONFIG> = {}) {
  const probe = new FakeGpuProbe();
  const kernelLog = new FakeKernelLog();
  const clock = new ManualClock();
  const registry = new Registry();
  const monitor = new GpuMonitor({
    probe,
    kernelLog,
    hostProbe: fakeHost,
    cachePath: '/var/cache/infernode',
    config: { ...DEFAULT_GPU_CONFIG, healthyHoldDownMs: 10_000, ...overrides },
    clock,
    log: silentLogger(),
    registry,
    node: 'node-a',
  });
  const reports: GpuReport[] = [];
  monitor.onChange((report) => reports.push(report));
  return { probe, kernelLog, clock, registry, monitor, reports };
}

/** An Xid 79 (fallen off the bus) line for the GPU at bus 3b, index 1 of the default sample. */
export const XID79_GPU1 =
  "[6781741.548779] NVRM: Xid (PCI:0000:3b:00): 79, pid='<unknown>', name=<unknown>, GPU has fallen off the bus.";
