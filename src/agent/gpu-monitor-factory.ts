/**
 * Hosts the GPU monitor in the agent: picks the probe for this node, tails the kernel log for
 * Xids on NVIDIA nodes, and forwards every health change to the leader at once (a failed GPU is
 * urgent: the leader must stop routing to its engines now, not at the next report). Rounded facts
 * (temperature, memory, power, utilization) ride along, and are also sent on their own when they
 * change, at most every {@link GPU_FACTS_MIN_INTERVAL_MS}: the console shows them, and a node's
 * temperature moving by a degree is not worth a message a second.
 */
import { GpuMonitor, asGpuConfig, type GpuReport } from '../gpu/index.js';
import { FileKernelLogSource, OsHostProbe, createGpuProbe } from '../gpu/adapters/index.js';
import type { GpuFactsSummary, GpuHealthSummary } from '../protocol/index.js';
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

/** Least time between two facts-only updates of one node, ms. */
export const GPU_FACTS_MIN_INTERVAL_MS = 10_000;

const MIB = 1024 * 1024;
const whole = (v: number | null): number | null => (v === null ? null : Math.round(v));
const mib = (v: number | null): number | null => (v === null ? null : Math.round(v / MIB) * MIB);

/** The protocol's view of a GPU report: health, and rounded facts (the rest stays on the agent). */
export function gpuSummary(report: GpuReport): GpuHealthSummary[] {
  return report.gpus.map(({ health, facts }) => ({
    index: health.index,
    uuid: health.uuid === '' ? health.busId : health.uuid,
    health: health.health,
    reasons: health.reasons.filter((r) => r !== '').slice(0, 64),
    ...(facts === null
      ? {}
      : {
          facts: {
            temperatureC: whole(facts.temperatureC),
            memoryUsedBytes: mib(facts.memoryUsedBytes),
            memoryTotalBytes: mib(facts.memoryTotalBytes),
            powerW: whole(facts.powerDrawWatts),
            utilizationPct: whole(facts.utilizationGpuPct),
          } satisfies GpuFactsSummary,
        }),
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
    hostProbe: new OsHostProbe(),
    cachePath: options.cachePath,
    config,
    clock: options.clock,
    log,
    registry: options.registry,
    node: options.node,
  });
  forwardGpuChanges(monitor, options.onGpus, options.clock);
  return monitor;
}

/**
 * Sends every health change of the monitor on as the protocol's summary, urgent when a GPU became
 * failed (the leader must stop routing to its engines now, not at the next report), and a changed
 * summary otherwise at most every {@link GPU_FACTS_MIN_INTERVAL_MS}. Returns the unsubscribe
 * function.
 */
export function forwardGpuChanges(
  monitor: Pick<GpuMonitor, 'onChange' | 'onSample'>,
  onGpus: GpuMonitorFactoryOptions['onGpus'],
  clock: Pick<Clock, 'monotonicMs'>,
): () => void {
  let lastSent = '';
  let lastSentAtMs = -Infinity;
  const send = (summary: GpuHealthSummary[], urgent: boolean): void => {
    lastSent = JSON.stringify(summary);
    lastSentAtMs = clock.monotonicMs();
    onGpus(summary, urgent);
  };
  const offChange = monitor.onChange((report, transitions) => {
    send(
      gpuSummary(report),
      transitions.some((t) => t.to === 'failed'),
    );
  });
  const offSample = monitor.onSample((report) => {
    if (clock.monotonicMs() - lastSentAtMs < GPU_FACTS_MIN_INTERVAL_MS) return;
    const summary = gpuSummary(report);
    if (JSON.stringify(summary) !== lastSent) send(summary, false);
  });
  return () => {
    offChange();
    offSample();
  };
}
