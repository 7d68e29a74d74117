/**
 * The `gpu.*` config keys. The agent composes {@link gpuConfigSpec} into its own spec
 * (`{ …, gpu: gpuConfigSpec }`), so the keys are `gpu.probeIntervalMs` etc., env
 * `INFERNODE_AGENT_GPU_PROBE_INTERVAL_MS` unless a field names its own.
 */
import { bool, int, loadConfig, num, str } from '../shared/index.js';

/** Which probe to use. `auto` picks by what is on PATH: nvidia-smi, then rocm-smi, else none. */
export const GPU_TOOL_CHOICES = ['auto', 'nvidia-smi', 'rocm-smi', 'none'] as const;

/** The spec of the `gpu` config section (src/shared config helpers). */
export const gpuConfigSpec = {
  tool: str('auto', 'GPU tool: auto, nvidia-smi, rocm-smi or none', { oneOf: GPU_TOOL_CHOICES }),
  probeIntervalMs: int(5000, 'time between GPU probe cycles, ms', { min: 100 }),
  probeTimeoutMs: int(10_000, 'time a GPU tool may run before it is killed, ms', { min: 100 }),
  failOnProbeError: bool(
    false,
    'fail agent startup when no GPU tool is found or the first probe fails (default: null probe)',
  ),
  kmsgPath: str(
    '/dev/kmsg',
    'kernel log to tail for Xid events (/dev/kmsg or a dmesg-format file)',
    {
      env: 'INFERNODE_KMSG_PATH',
    },
  ),
  kmsgPollIntervalMs: int(500, 'time between kernel-log reads, ms', { min: 50 }),
  kmsgFromStart: bool(false, 'read the kernel log from its start instead of from the end'),
  kmsgMaxLinesPerRead: int(10_000, 'most kernel-log lines kept per read (older ones dropped)', {
    min: 1,
  }),
  healthyHoldDownMs: int(60_000, 'time a GPU must stay clean before it is healthy again, ms', {
    min: 0,
  }),
  probeFailuresBeforeFailed: int(3, 'consecutive failed probes before every GPU is failed', {
    min: 1,
  }),
  tlimitDegradedC: num(0, 'degraded when NVIDIA T.Limit headroom is at or below this, °C'),
  slowdownTemperatureC: num(
    90,
    'degraded at this temperature when no T.Limit is known, °C (0: off)',
    {
      min: 0,
    },
  ),
  pcieGenMinUtilizationPct: num(20, 'PCIe gen below max degrades only at this utilization, %', {
    min: 0,
    max: 100,
  }),
  retiredPagesFailedCount: int(60, 'failed when retired pages (SBE+DBE) reach this count', {
    min: 1,
  }),
};

/** The typed `gpu` section; see {@link gpuConfigSpec} for docs and defaults. */
export interface GpuConfig {
  readonly tool: (typeof GPU_TOOL_CHOICES)[number];
  readonly probeIntervalMs: number;
  readonly probeTimeoutMs: number;
  readonly failOnProbeError: boolean;
  readonly kmsgPath: string;
  readonly kmsgPollIntervalMs: number;
  readonly kmsgFromStart: boolean;
  readonly kmsgMaxLinesPerRead: number;
  readonly healthyHoldDownMs: number;
  readonly probeFailuresBeforeFailed: number;
  readonly tlimitDegradedC: number;
  readonly slowdownTemperatureC: number;
  readonly pcieGenMinUtilizationPct: number;
  readonly retiredPagesFailedCount: number;
}

/** Narrows the loaded `gpu` section (whose field types the spec helpers widen) to {@link GpuConfig}. */
export function asGpuConfig(section: unknown): GpuConfig {
  return section as GpuConfig;
}

/** The defaults, frozen; handy for tests and tools: `{ ...DEFAULT_GPU_CONFIG, healthyHoldDownMs: 0 }`. */
export const DEFAULT_GPU_CONFIG: GpuConfig = asGpuConfig(loadConfig(gpuConfigSpec, 'GPU', {}));
