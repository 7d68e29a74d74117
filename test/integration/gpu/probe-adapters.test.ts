import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  NVIDIA_QUERY_FIELDS,
  DEFAULT_GPU_CONFIG,
  nvidiaQueryArgs,
} from '../../../src/gpu/index.js';
import {
  NvidiaSmiGpuProbe,
  RocmSmiGpuProbe,
  createGpuProbe,
} from '../../../src/gpu/adapters/index.js';
import { ToolRunner } from '../../../src/gpu/adapters/run-tool.js';
import { AppError, silentLogger } from '../../../src/shared/index.js';
import { FAKE_BIN, FakeGpuScenario } from '../../helpers/fake-gpu-tools.js';

const signal = new AbortController().signal;
const log = silentLogger();
const nvidia = (timeoutMs = 5000) =>
  new NvidiaSmiGpuProbe({ timeoutMs, log, file: join(FAKE_BIN, 'nvidia-smi') });

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'resolved';
  } catch (err) {
    return err instanceof AppError ? err.code : String(err);
  }
}

describe('NvidiaSmiGpuProbe against the fake nvidia-smi', () => {
  let scenario: FakeGpuScenario;
  beforeEach(() => (scenario = new FakeGpuScenario({ gpus: 8 })));
  afterEach(() => scenario.dispose());

  it('reads 8 GPUs through the real execa path', async () => {
    const sample = await nvidia().sample({ signal });
    expect(sample.tool).toBe('nvidia-smi');
    expect(sample.gpus.map((g) => g.busId)).toEqual([
      '0000:19:00.0',
      '0000:3b:00.0',
      '0000:4c:00.0',
      '0000:5d:00.0',
      '0000:9b:00.0',
      '0000:bb:00.0',
      '0000:cb:00.0',
      '0000:db:00.0',
    ]);
    expect(sample.gpus[0]).toMatchObject({
      temperatureC: 41,
      memoryTotalBytes: 81559 * 1024 * 1024,
    });
  });

  it('surfaces a GPU that fell off the bus as lost, with the others still read', async () => {
    scenario.write({ gpus: 8, perGpu: { '1': { lost: true } }, exitCode: 15 });
    const sample = await nvidia().sample({ signal });
    expect(sample.gpus).toHaveLength(7);
    expect(sample.lost).toEqual([expect.objectContaining({ busId: '0000:3b:00.0' })]);
  });

  it('attaches MIG devices from nvidia-smi -L', async () => {
    scenario.write({ gpus: 2, perGpu: { '0': { mig: ['3g.40gb', '1g.10gb'] } } });
    const sample = await nvidia().sample({ signal });
    expect(sample.gpus[0]).toMatchObject({ migEnabled: true, utilizationGpuPct: null });
    expect(sample.gpus[0]?.migDevices.map((d) => d.profile)).toEqual(['3g.40gb', '1g.10gb']);
    expect(sample.gpus[1]?.migDevices).toEqual([]);
  });

  it('drops fields an older driver does not know and keeps probing', async () => {
    scenario.write({ gpus: 1, invalidFields: ['gpu_recovery_action', 'temperature.gpu.tlimit'] });
    const probe = nvidia();
    const sample = await probe.sample({ signal });
    expect(sample.gpus[0]).toMatchObject({
      recoveryAction: null,
      temperatureTlimitC: null,
      temperatureC: 41,
    });
    expect(probe.fields).toHaveLength(NVIDIA_QUERY_FIELDS.length - 2);
  });

  it.each([
    [{ hangSeconds: 30 }, 'GPU_PROBE_TIMEOUT'],
    [{ exitCode: 3, gpus: 0 }, 'GPU_PROBE_EXIT_NONZERO'],
    [{ driverUnavailable: true }, 'GPU_DRIVER_UNAVAILABLE'],
    [{ invalidFields: ['index'] }, 'GPU_PROBE_EXIT_NONZERO'],
  ])('maps %j to %s', async (s, code) => {
    scenario.write(s);
    // Only the hang needs a short timeout; the others must finish even on a loaded machine,
    // where starting the fake tool (a Node process) can take longer than 300 ms.
    const timeoutMs = 'hangSeconds' in s ? 300 : 5000;
    expect(await codeOf(nvidia(timeoutMs).sample({ signal }))).toBe(code);
  });

  it('reports "No devices were found" as zero GPUs', async () => {
    scenario.write({ noDevices: true });
    expect((await nvidia().sample({ signal })).gpus).toEqual([]);
  });

  it('maps a missing tool and an aborted call', async () => {
    const missing = new NvidiaSmiGpuProbe({ timeoutMs: 1000, log, file: join(FAKE_BIN, 'absent') });
    expect(await codeOf(missing.sample({ signal }))).toBe('GPU_PROBE_NOT_FOUND');
    expect(await codeOf(nvidia().sample({ signal: AbortSignal.abort() }))).toBe(
      'GPU_PROBE_ABORTED',
    );
  });
});

describe('RocmSmiGpuProbe against the fake rocm-smi', () => {
  let scenario: FakeGpuScenario;
  beforeEach(() => (scenario = new FakeGpuScenario({ gpus: 4 })));
  afterEach(() => scenario.dispose());
  const rocm = (timeoutMs = 5000) =>
    new RocmSmiGpuProbe({ timeoutMs, file: join(FAKE_BIN, 'rocm-smi') });

  it('reads 4 cards', async () => {
    scenario.write({ gpus: 4, perGpu: { '2': { 'Temperature (Sensor junction) (C)': '99.0' } } });
    const sample = await rocm().sample({ signal });
    expect(sample.gpus.map((g) => g.temperatureC)).toEqual([55, 55, 99, 55]);
  });

  it.each([
    [{ garbage: true }, 'GPU_PROBE_OUTPUT_INVALID'],
    [{ garbage: true, exitCode: 2 }, 'GPU_PROBE_EXIT_NONZERO'],
    [{ hangSeconds: 30 }, 'GPU_PROBE_TIMEOUT'],
  ])('maps %j to %s', async (s, code) => {
    scenario.write(s);
    expect(await codeOf(rocm('hangSeconds' in s ? 300 : 5000).sample({ signal }))).toBe(code);
  });
});

describe('createGpuProbe', () => {
  let scenario: FakeGpuScenario;
  beforeEach(() => (scenario = new FakeGpuScenario()));
  afterEach(() => scenario.dispose());
  const config = DEFAULT_GPU_CONFIG;

  it('picks nvidia-smi from PATH first, then rocm-smi when asked', async () => {
    const path = scenario.pathWithFakes();
    expect((await createGpuProbe({ config, log, path })).tool).toBe('nvidia-smi');
    expect(
      (await createGpuProbe({ config: { ...config, tool: 'rocm-smi' }, log, path })).tool,
    ).toBe('rocm-smi');
  });

  it('falls back to the null probe without tools, or fails when failOnProbeError is set', async () => {
    const probe = await createGpuProbe({ config, log, path: scenario.dir });
    expect(probe.tool).toBe('none');
    expect(await probe.sample({ signal })).toEqual({ tool: 'none', gpus: [], lost: [] });
    expect(
      await codeOf(
        createGpuProbe({ config: { ...config, failOnProbeError: true }, log, path: scenario.dir }),
      ),
    ).toBe('GPU_PROBE_NOT_FOUND');
  });
});

describe('ToolRunner with a tool that cannot be reaped', () => {
  let scenario: FakeGpuScenario;
  beforeEach(
    () => (scenario = new FakeGpuScenario({ gpus: 1, hangSeconds: 30, orphanSeconds: 10 })),
  );
  afterEach(() => scenario.dispose());

  it('gives up after timeout + grace, and refuses a new run while the old one is alive', async () => {
    const runner = new ToolRunner(join(FAKE_BIN, 'nvidia-smi'));
    // The timeout leaves the fake tool time to start and spawn its orphan even on a loaded
    // machine (a Node process can take over a second to start there).
    const opts = { signal, timeoutMs: 3000, killGraceMs: 300 };
    const first = await codeOf(runner.run(nvidiaQueryArgs(), opts));
    expect(first).toBe('GPU_PROBE_TIMEOUT');
    const second = runner.run(nvidiaQueryArgs(), opts);
    await expect(second).rejects.toThrow(/still alive/);
  });
});
