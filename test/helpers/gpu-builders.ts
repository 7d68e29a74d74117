/** Builders for GPU facts and samples in tests (STYLE.md §19). */
import type { GpuFacts, GpuSample, LostGpu } from '../../src/gpu/index.js';

const BUS = ['19', '3b', '4c', '5d', '9b', 'bb', 'cb', 'db'];

/** A healthy H100 (values from the 590.48.01 idle capture) at `index`, with overrides. */
export function aGpu(index = 0, overrides: Partial<GpuFacts> = {}): GpuFacts {
  return {
    index,
    uuid: `GPU-${String(index).padStart(8, '0')}-0000-0000-0000-000000000000`,
    name: 'NVIDIA H100 80GB HBM3',
    busId: `0000:${BUS[index] ?? (0x10 + index).toString(16)}:00.0`,
    memoryTotalBytes: 81559 * 1024 * 1024,
    memoryUsedBytes: 0,
    utilizationGpuPct: 0,
    utilizationMemoryPct: 0,
    temperatureC: 41,
    temperatureTlimitC: 46,
    powerDrawWatts: 69.85,
    powerLimitWatts: 700,
    clocksEventReasonsActive: 1,
    eccCorrectedVolatile: 0,
    eccUncorrectedVolatile: 0,
    retiredPagesSbe: null,
    retiredPagesDbe: null,
    retiredPagesPending: null,
    remappedRowsCorrectable: 0,
    remappedRowsUncorrectable: 0,
    remappedRowsPending: false,
    remappedRowsFailure: false,
    pcieLinkGenCurrent: 5,
    pcieLinkGenMax: 5,
    pcieLinkWidthCurrent: 16,
    pcieLinkWidthMax: 16,
    pcieReplayCount: null,
    recoveryAction: 'None',
    migEnabled: false,
    migDevices: [],
    ...overrides,
  };
}

/** An nvidia-smi sample of `gpus` (and `lost`). */
export function aSample(gpus: GpuFacts[], lost: LostGpu[] = []): GpuSample {
  return { tool: 'nvidia-smi', gpus, lost };
}
