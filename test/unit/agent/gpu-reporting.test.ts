import { describe, expect, it } from 'vitest';
import {
  GPU_FACTS_MIN_INTERVAL_MS,
  forwardGpuChanges,
  gpuSummary,
} from '../../../src/agent/gpu-monitor-factory.js';
import type { GpuReport } from '../../../src/gpu/index.js';
import type { GpuHealthSummary } from '../../../src/protocol/index.js';
import { aGpu, aSample } from '../../helpers/gpu-builders.js';
import { XID79_GPU1, gpuMonitorHarness } from '../../helpers/gpu-monitor-harness.js';

const signal = new AbortController().signal;
const MIB = 1024 * 1024;
// aGpu's facts as the summary rounds them (41 °C, 69.85 W → 70, 81559 MiB, idle).
const idleFacts = {
  temperatureC: 41,
  memoryUsedBytes: 0,
  memoryTotalBytes: 81559 * MIB,
  powerW: 70,
  utilizationPct: 0,
};

/** The agent's side of GPU reporting: a real monitor over fakes, forwarded as the agent does. */
function forwarded() {
  const harness = gpuMonitorHarness();
  const sent: { gpus: GpuHealthSummary[]; urgent: boolean }[] = [];
  const unsubscribe = forwardGpuChanges(
    harness.monitor,
    (gpus, urgent) => sent.push({ gpus, urgent }),
    harness.clock,
  );
  return { ...harness, sent, unsubscribe };
}

describe('agent GPU reporting', () => {
  it('sends the health summary of every GPU on first sight, not urgent', async () => {
    const { monitor, sent } = forwarded();
    await monitor.probeOnce(signal);
    expect(sent).toEqual([
      {
        urgent: false,
        gpus: [
          { index: 0, uuid: aGpu(0).uuid, health: 'healthy', reasons: [], facts: idleFacts },
          { index: 1, uuid: aGpu(1).uuid, health: 'healthy', reasons: [], facts: idleFacts },
        ],
      },
    ]);
  });

  it('sends at once, urgent, when a kernel-log Xid fails a GPU', async () => {
    const { monitor, kernelLog, sent } = forwarded();
    await monitor.probeOnce(signal);
    kernelLog.pending.push(XID79_GPU1);
    await monitor.pollKernelLogOnce(signal);
    expect(sent).toHaveLength(2);
    expect(sent[1]?.urgent).toBe(true);
    expect(sent[1]?.gpus[0]?.health).toBe('healthy');
    expect(sent[1]?.gpus[1]).toMatchObject({ index: 1, uuid: aGpu(1).uuid, health: 'failed' });
    expect(sent[1]?.gpus[1]?.reasons.length).toBeGreaterThan(0);
  });

  it('is not urgent when a failed GPU heals after its hold-down', async () => {
    const { monitor, kernelLog, clock, sent } = forwarded();
    await monitor.probeOnce(signal);
    kernelLog.pending.push(XID79_GPU1);
    await monitor.pollKernelLogOnce(signal);
    clock.advance(10_000);
    await monitor.probeOnce(signal);
    expect(sent.map((s) => s.urgent)).toEqual([false, true, false]);
    expect(sent[2]?.gpus.every((g) => g.health === 'healthy')).toBe(true);
  });

  it('sends changed facts on their own, at most once per interval, never urgent', async () => {
    const { monitor, probe, clock, sent } = forwarded();
    await monitor.probeOnce(signal);
    const hot = aGpu(0, {
      temperatureC: 77.4,
      memoryUsedBytes: 60_000 * MIB + 5,
      powerDrawWatts: 612.6,
    });
    probe.next = aSample([hot, aGpu(1)]);
    // Within the interval of the last message: nothing, however the facts moved.
    await monitor.probeOnce(signal);
    expect(sent).toHaveLength(1);
    clock.advance(GPU_FACTS_MIN_INTERVAL_MS);
    await monitor.probeOnce(signal);
    expect(sent).toHaveLength(2);
    expect(sent[1]?.urgent).toBe(false);
    expect(sent[1]?.gpus[0]?.facts).toEqual({
      ...idleFacts,
      temperatureC: 77,
      memoryUsedBytes: 60_000 * MIB,
      powerW: 613,
    });
    // Past the interval but unchanged after rounding: nothing.
    clock.advance(GPU_FACTS_MIN_INTERVAL_MS);
    probe.next = aSample([aGpu(0, { ...hot, temperatureC: 77.2 }), aGpu(1)]);
    await monitor.probeOnce(signal);
    expect(sent).toHaveLength(2);
  });

  it('stops sending once unsubscribed', async () => {
    const { monitor, kernelLog, sent, unsubscribe } = forwarded();
    await monitor.probeOnce(signal);
    unsubscribe();
    kernelLog.pending.push(XID79_GPU1);
    await monitor.pollKernelLogOnce(signal);
    expect(monitor.report().gpus[1]?.health.health).toBe('failed');
    expect(sent).toHaveLength(1);
  });
});

describe('gpuSummary', () => {
  it('names a GPU without a UUID by its bus id and drops empty reasons', () => {
    const facts = aGpu(0, { uuid: '' });
    const report: GpuReport = {
      node: 'n',
      tool: 'nvidia-smi',
      lastProbeMs: null,
      probeConsecutiveFailures: 0,
      lastProbeError: null,
      host: null,
      gpus: [
        {
          facts,
          health: {
            index: 0,
            uuid: '',
            name: facts.name,
            busId: facts.busId,
            health: 'degraded',
            reasons: ['', 'xid 13', ''],
            sinceMs: 0,
          },
        },
      ],
    };
    expect(gpuSummary(report)).toEqual([
      { index: 0, uuid: facts.busId, health: 'degraded', reasons: ['xid 13'], facts: idleFacts },
    ]);
    // A GPU the tool could not read has health but no facts.
    const unread = { ...report, gpus: [{ ...report.gpus[0]!, facts: null }] };
    expect(gpuSummary(unread)[0]).not.toHaveProperty('facts');
  });
});
