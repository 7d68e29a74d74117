/**
 * End to end on one node: the real nvidia-smi probe (found on PATH, run through execa) against the
 * fake tool, the real kernel-log tail on a file, and the monitor's own timers. The test appends an
 * Xid 79 line, sees the GPU fail, and sees it healthy again after the (short) hold-down.
 */
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  DEFAULT_GPU_CONFIG,
  GpuMonitor,
  type GpuHealth,
  type GpuReport,
} from '../../../src/gpu/index.js';
import { FileKernelLogSource, createGpuProbe } from '../../../src/gpu/adapters/index.js';
import { Registry, silentLogger, systemClock } from '../../../src/shared/index.js';
import { FakeGpuScenario } from '../../helpers/fake-gpu-tools.js';

const HOLD_DOWN_MS = 800;
const XID79 =
  "6,1234,5678901,-;NVRM: Xid (PCI:0000:3b:00): 79, pid='<unknown>', name=<unknown>, GPU has fallen off the bus.\n";

describe('GpuMonitor end to end with fake nvidia-smi on PATH and a kmsg file', () => {
  let scenario: FakeGpuScenario;
  let ac: AbortController;
  let running: Promise<void> | undefined;

  beforeEach(() => {
    scenario = new FakeGpuScenario({ gpus: 2 });
    ac = new AbortController();
  });
  afterEach(async () => {
    ac.abort();
    await running;
    scenario.dispose();
  });

  it('fails a GPU on Xid 79 within a poll, heals it after the hold-down, and fails a lost GPU', async () => {
    const log = silentLogger();
    const kmsgPath = join(scenario.dir, 'kmsg');
    writeFileSync(kmsgPath, '');
    const config = {
      ...DEFAULT_GPU_CONFIG,
      probeIntervalMs: 200,
      kmsgPollIntervalMs: 50,
      healthyHoldDownMs: HOLD_DOWN_MS,
      kmsgPath,
    };
    const probe = await createGpuProbe({ config, log, path: scenario.pathWithFakes() });
    expect(probe.tool).toBe('nvidia-smi');
    const monitor = new GpuMonitor({
      probe,
      kernelLog: new FileKernelLogSource({
        path: kmsgPath,
        fromStart: false,
        maxLinesPerRead: 1000,
        log,
      }),
      hostProbe: null,
      config,
      clock: systemClock,
      log,
      registry: new Registry(),
      node: 'node-a',
    });
    const seen: GpuReport[] = [];
    const waiters: { pred: (g: GpuHealth[]) => boolean; resolve: (r: GpuReport) => void }[] = [];
    monitor.onChange((report) => {
      seen.push(report);
      const gpus = report.gpus.map((e) => e.health);
      for (const w of waiters.splice(0))
        if (w.pred(gpus)) w.resolve(report);
        else waiters.push(w);
    });
    const until = (pred: (g: GpuHealth[]) => boolean): Promise<GpuReport> => {
      const last = seen.at(-1);
      if (last !== undefined && pred(last.gpus.map((e) => e.health))) return Promise.resolve(last);
      return new Promise((resolve) => waiters.push({ pred, resolve }));
    };
    const gpu1 = (health: string) => (g: GpuHealth[]) =>
      g.find((x) => x.busId === '0000:3b:00.0')?.health === health;

    running = monitor.run(ac.signal);
    await until((g) => g.length === 2 && g.every((x) => x.health === 'healthy'));

    appendFileSync(kmsgPath, XID79);
    const failed = await until(gpu1('failed'));
    const failedGpu = failed.gpus[1]?.health;
    expect(failedGpu).toMatchObject({ index: 1, reasons: [expect.stringContaining('xid 79')] });
    expect(failed.gpus[0]?.health.health).toBe('healthy');

    const healed = await until(gpu1('healthy'));
    expect(healed.gpus[1]!.health.sinceMs - failedGpu!.sinceMs).toBeGreaterThanOrEqual(
      HOLD_DOWN_MS,
    );

    scenario.write({ gpus: 2, perGpu: { '0': { lost: true } } });
    const lost = await until((g) => g[0]?.health === 'failed');
    expect(lost.gpus[0]?.health.reasons[0]).toContain('Unable to determine the device handle');
    expect(monitor.report().gpus[0]?.facts).not.toBeNull(); // last known facts are kept
  });
});
