/**
 * Hosts the GPU monitor in the agent: picks the probe for this node, tails the kernel log for
 * Xids on NVIDIA nodes, and forwards every health change to the leader at once (a failed GPU is
 * urgent: the leader must stop routing to its engines now, not at the next report).
 */
import { GpuMonitor, asGpuConfig, type GpuReport } from '../gpu/index.js';
import {
  FileKernelLogSource,
  SystemInformationHostProbe,
  createGpuProbe,
} from '../gpu/adapters/index.js';
import type { GpuHealthSummary } from '../protocol/index.js';
import type { Clock, Logger, Registry } from '../shared/index.js';

/** What the agent's main hands over to build its GPU monitor. */
export interface GpuMonitorFactoryOptions {
  /** The raw `gpu` section of the agent's config; validated here (asGpuConfig). */
  readonly gpuSection: unknown;
  readonly node: string;
  readonly cachePath: string;
  readonly clock: Clock;
  readonly log: Logger;
  readonly registry: Registry;
  /** Receives the GPU summary after every change; `urgent` when a GPU became failed. */
  readonly onGpus: (gpus: GpuHealthSummary[], urgent: boolean) => void;
}

/** The protocol's view of a GPU report: health only, facts stay on the agent. */
export function gpuSummary(report: GpuReport): GpuHealthSummary[] {
  return report.gpus.map(({ health }) => ({
    index: health.index,
    uuid: health.uuid === '' ? health.busId : health.uuid,
    health: health.health,
    reasons: health.reasons.filter((r) => r !== '').slice(0, 64),
  }));
}

/** Builds the monitor (throws when `gpu.failOnProbeError` is set and no tool works). */
export async function createGpuMonitor(options: GpuMonitorFactoryOptions): Promise<GpuMonitor> {
  const config = asGpuConfig(options.gpuSection);
  const log = options.log.child({ component: 'gpu' });
  const probe = await createGpuProbe({ config, log });
  const kernelLog =
    probe.tool === 'nvidia-smi'
      ? new FileKernelLogSource({
          path: config.kmsgPath,
          fromStart: config.kmsgFromStart,
          maxLinesPerRead: config.kmsgMaxLinesPerRead,
          log,
        })
      : null;
  const monitor = new GpuMonitor({
    probe,
    kernelLog,
    hostProbe: new SystemInformationHostProbe(),
    cachePath: options.cachePath,
    config,
    clock: options.clock,
    log,
    registry: options.registry,
    node: options.node,
  });
  forwardGpuChanges(monitor, options.onGpus);
  return monitor;
}

/**
 * Sends every health change of the monitor on as the protocol's summary, urgent when a GPU became
 * failed (the leader must stop routing to its engines now, not at the next report). Returns the
 * unsubscribe function.
 */
export function forwardGpuChanges(
  monitor: Pick<GpuMonitor, 'onChange'>,
  onGpus: GpuMonitorFactoryOptions['onGpus'],
): () => void {
  return monitor.onChange((report, transitions) => {
    const urgent = transitions.some((t) => t.to === 'failed');
    onGpus(gpuSummary(report), urgent);
  });
}
