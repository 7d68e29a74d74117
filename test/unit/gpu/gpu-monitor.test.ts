import { describe, expect, it } from 'vitest';
import type { CallOptions, GpuSample } from '../../../src/gpu/index.js';
import { AppError } from '../../../src/shared/index.js';
import { aGpu, aSample } from '../../helpers/gpu-builders.js';
import { XID79_GPU1, gpuMonitorHarness } from '../../helpers/gpu-monitor-harness.js';

const signal = new AbortController().signal;

describe('GpuMonitor', () => {
  it('reports every GPU with facts and health, as JSON', async () => {
    const { monitor, reports } = gpuMonitorHarness();
    await monitor.probeOnce(signal);
    const report = monitor.report();
    expect(JSON.parse(JSON.stringify(report))).toEqual(report);
    expect(report).toMatchObject({
      node: 'node-a',
      tool: 'nvidia-smi',
      probeConsecutiveFailures: 0,
      host: { cpuCount: 2 },
    });
    expect(report.gpus.map((g) => [g.health.index, g.health.health])).toEqual([
      [0, 'healthy'],
      [1, 'healthy'],
    ]);
    expect(reports).toHaveLength(1); // first sight of the GPUs is a change
  });

  it('calls the listener at once when a kernel-log Xid fails a GPU, and heals after the hold-down', async () => {
    const { monitor, kernelLog, clock, reports } = gpuMonitorHarness();
    await monitor.probeOnce(signal);
    kernelLog.pending.push(XID79_GPU1);
    await monitor.pollKernelLogOnce(signal);
    expect(reports).toHaveLength(2);
    expect(reports[1]?.gpus[1]?.health).toMatchObject({ health: 'failed', busId: '0000:3b:00.0' });
    clock.advance(9_999);
    await monitor.probeOnce(signal);
    expect(reports).toHaveLength(2);
    clock.advance(1);
    await monitor.probeOnce(signal);
    expect(reports[2]?.gpus[1]?.health.health).toBe('healthy');
  });

  it('exports the infernode_gpu_ metrics with bounded labels', async () => {
    const { monitor, kernelLog, registry } = gpuMonitorHarness();
    await monitor.probeOnce(signal);
    kernelLog.pending.push(XID79_GPU1);
    await monitor.pollKernelLogOnce(signal);
    const text = await registry.metrics();
    expect(text).toContain(
      'infernode_gpu_temperature_celsius{node="node-a",gpu="0",uuid="GPU-00000000-0000-0000-0000-000000000000"} 41',
    );
    expect(text).toContain('infernode_gpu_memory_total_bytes{node="node-a",gpu="1"');
    expect(text).toMatch(
      /infernode_gpu_xid_events_total\{node="node-a",gpu="1",uuid="[^"]+",xid="79"\} 1/,
    );
    expect(text).toMatch(
      /infernode_gpu_health_state\{node="node-a",gpu="1",uuid="[^"]+",state="failed"\} 1/,
    );
    expect(text).toContain('infernode_gpu_probe_up{node="node-a"} 1');
    expect(text).toContain(
      'infernode_gpu_probe_duration_seconds_count{node="node-a",tool="nvidia-smi"} 1',
    );
  });

  it('counts probe errors, sets probe_up 0, and fails GPUs after N consecutive errors', async () => {
    const { monitor, probe, registry } = gpuMonitorHarness({ probeFailuresBeforeFailed: 2 });
    await monitor.probeOnce(signal);
    probe.next = new AppError('GPU_PROBE_TIMEOUT', 'timed out');
    await monitor.probeOnce(signal);
    expect(monitor.report().gpus.every((g) => g.health.health === 'healthy')).toBe(true);
    await monitor.probeOnce(signal);
    expect(monitor.report()).toMatchObject({
      probeConsecutiveFailures: 2,
      lastProbeError: 'GPU_PROBE_TIMEOUT',
    });
    expect(monitor.report().gpus.every((g) => g.health.health === 'failed')).toBe(true);
    const text = await registry.metrics();
    expect(text).toContain(
      'infernode_gpu_probe_errors_total{node="node-a",code="GPU_PROBE_TIMEOUT"} 2',
    );
    expect(text).toContain('infernode_gpu_probe_up{node="node-a"} 0');
  });

  it('rejects run() when the first probe fails and failOnProbeError is set', async () => {
    const { monitor, probe } = gpuMonitorHarness({ failOnProbeError: true });
    probe.next = new AppError('GPU_DRIVER_UNAVAILABLE', 'no driver');
    await expect(monitor.run(new AbortController().signal)).rejects.toMatchObject({
      code: 'GPU_DRIVER_UNAVAILABLE',
    });
  });

  it('run() notices an Xid while the probe hangs (separate kernel-log loop)', async () => {
    const { monitor, probe, kernelLog, reports } = gpuMonitorHarness({
      probeIntervalMs: 100,
      kmsgPollIntervalMs: 50,
    });
    let calls = 0;
    probe.sample = ({ signal: s }: CallOptions): Promise<GpuSample> => {
      calls += 1;
      if (calls === 1) return Promise.resolve(aSample([aGpu(0), aGpu(1)]));
      return new Promise<GpuSample>((resolve) =>
        s.addEventListener('abort', () => resolve(aSample([])), { once: true }),
      );
    };
    const ac = new AbortController();
    const failed = new Promise<void>((resolve) =>
      monitor.onChange((r) => r.gpus[1]?.health.health === 'failed' && resolve()),
    );
    const done = monitor.run(ac.signal);
    while (calls < 2) await new Promise((r) => setTimeout(r, 10)); // the probe is now hanging
    kernelLog.pending.push(XID79_GPU1);
    await failed;
    expect(calls).toBe(2);
    expect(reports.at(-1)?.lastProbeError).toBeNull();
    ac.abort();
    await done;
  });

  it('run() stops when its signal aborts', async () => {
    const { monitor } = gpuMonitorHarness({ probeIntervalMs: 100, kmsgPollIntervalMs: 50 });
    const ac = new AbortController();
    const done = monitor.run(ac.signal);
    ac.abort();
    await expect(done).resolves.toBeUndefined();
  });
});
