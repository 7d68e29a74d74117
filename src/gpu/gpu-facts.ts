/**
 * The GPU facts and health types that cross the agent↔leader protocol and `GET /v1/gpus`. Every
 * type here is plain JSON: numbers, strings, booleans, arrays and `null` for "the tool did not
 * report it" (`[N/A]`, `[Not Supported]`, a missing field).
 */

/** Which tool produced a sample. `none` is the null probe on a node without GPU tools. */
export type GpuVendorTool = 'nvidia-smi' | 'rocm-smi' | 'none';

/** One MIG (Multi-Instance GPU) slice of a physical GPU, from `nvidia-smi -L`. */
export interface MigDeviceFacts {
  /** MIG device index within its parent GPU. */
  readonly index: number;
  /** MIG profile, e.g. `1g.10gb` or `1c.3g.71gb`. */
  readonly profile: string;
  /** `MIG-…` UUID. */
  readonly uuid: string;
}

/** Everything one probe cycle learned about one physical GPU. */
export interface GpuFacts {
  /** Tool's GPU index (nvidia-smi `index`, rocm-smi `cardN`). */
  readonly index: number;
  /** Stable identity: NVIDIA `GPU-…` UUID, AMD unique id; `''` if unknown. */
  readonly uuid: string;
  readonly name: string;
  /** Normalized PCI address `dddd:bb:dd.f`, lower case (see {@link normalizeBusId}). */
  readonly busId: string;
  readonly memoryTotalBytes: number | null;
  readonly memoryUsedBytes: number | null;
  /** GPU compute utilization, 0–100 %. `null` under MIG (nvidia-smi reports `[N/A]`). */
  readonly utilizationGpuPct: number | null;
  /** Memory controller utilization, 0–100 %. */
  readonly utilizationMemoryPct: number | null;
  readonly temperatureC: number | null;
  /**
   * NVIDIA T.Limit headroom in °C (`temperature.gpu.tlimit`): how far the GPU is below its
   * maximum operating temperature. 0 or less means it is at the slowdown point.
   */
  readonly temperatureTlimitC: number | null;
  readonly powerDrawWatts: number | null;
  readonly powerLimitWatts: number | null;
  /** Active clock event (throttle) reasons bitmask, NVML `nvmlClocksEventReason*`. */
  readonly clocksEventReasonsActive: number | null;
  /** Volatile (since last driver load/reset) ECC counts. */
  readonly eccCorrectedVolatile: number | null;
  readonly eccUncorrectedVolatile: number | null;
  /** Pre-Ampere dynamic page retirement. */
  readonly retiredPagesSbe: number | null;
  readonly retiredPagesDbe: number | null;
  readonly retiredPagesPending: boolean | null;
  /** Ampere+ row remapping. */
  readonly remappedRowsCorrectable: number | null;
  readonly remappedRowsUncorrectable: number | null;
  readonly remappedRowsPending: boolean | null;
  readonly remappedRowsFailure: boolean | null;
  readonly pcieLinkGenCurrent: number | null;
  readonly pcieLinkGenMax: number | null;
  readonly pcieLinkWidthCurrent: number | null;
  readonly pcieLinkWidthMax: number | null;
  /** AMD PCIe replay count (link retrains); informational. */
  readonly pcieReplayCount: number | null;
  /** NVIDIA `gpu_recovery_action` (`None`, `Reset`, `Reboot`, `Drain P2P`, `Drain and Reset`…). */
  readonly recoveryAction: string | null;
  readonly migEnabled: boolean;
  readonly migDevices: readonly MigDeviceFacts[];
}

/**
 * A GPU the tool names but cannot read, e.g. `Unable to determine the device handle for
 * GPU0000:3B:00.0: Unknown Error` (the GPU fell off the bus). It must surface as failed.
 */
export interface LostGpu {
  /** Normalized PCI address. */
  readonly busId: string;
  /** The tool's GPU index when the message names it (610-series `GPU1: …`), else `null`. */
  readonly index: number | null;
  /** The tool's message, trimmed. */
  readonly message: string;
}

/** The result of one successful probe cycle. */
export interface GpuSample {
  readonly tool: GpuVendorTool;
  readonly gpus: readonly GpuFacts[];
  readonly lost: readonly LostGpu[];
}

/** A kernel-log Xid event, already mapped to a normalized PCI bus id. */
export interface XidEvent {
  readonly xid: number;
  /** Normalized PCI address `dddd:bb:dd.0` (the kernel omits the function; we assume 0). */
  readonly busId: string;
  /** The text after `<xid>, ` (pid/name and details). */
  readonly detail: string;
  /** The kernel-log timestamp text as printed, for logs; `''` if none. */
  readonly logTime: string;
}

/** Health states, best first. */
export const GPU_HEALTH_STATES = ['healthy', 'degraded', 'failed'] as const;
/** A GPU's health: `degraded` warns, `failed` acts (drain, taint, stop routing). */
export type GpuHealthState = (typeof GPU_HEALTH_STATES)[number];

/** The health verdict of one GPU, as sent to the leader. */
export interface GpuHealth {
  /** Tool index; `-1` for a lost GPU the agent never saw healthy and whose index is unknown. */
  index: number;
  uuid: string;
  name: string;
  busId: string;
  health: 'healthy' | 'degraded' | 'failed';
  /** Human-readable reasons, e.g. `xid 79 (GPU_HAS_FALLEN_OFF_THE_BUS): RESTART_BM`. */
  reasons: string[];
  /** Epoch ms when `health` last changed. */
  sinceMs: number;
}

/** One GPU in the report: its last facts (null if it was never readable) and its health. */
export interface GpuReportEntry {
  readonly health: GpuHealth;
  readonly facts: GpuFacts | null;
}

/** What `GET /v1/gpus` returns and what `onChange` receives. */
export interface GpuReport {
  readonly node: string;
  readonly tool: GpuVendorTool;
  /** Epoch ms of the last successful probe, `null` before the first. */
  readonly lastProbeMs: number | null;
  /** Consecutive failed probe cycles (0 when the last one succeeded). */
  readonly probeConsecutiveFailures: number;
  /** Error code of the last failed probe, `null` if the last succeeded. */
  readonly lastProbeError: string | null;
  readonly gpus: readonly GpuReportEntry[];
  /** Host facts from the last successful host probe, `null` if none yet or none configured. */
  readonly host: HostFacts | null;
}

/** Host facts the agent reports beside its GPUs. */
export interface HostFacts {
  readonly cpuCount: number;
  /** 1-minute load average (0 where the OS has none). */
  readonly cpuLoad1m: number;
  /** Current CPU busy share, 0–100 %. */
  readonly cpuBusyPct: number;
  readonly memoryTotalBytes: number;
  readonly memoryAvailableBytes: number;
  /** The file system holding the node cache path. */
  readonly cacheDisk: {
    readonly path: string;
    readonly mount: string;
    readonly totalBytes: number;
    readonly usedBytes: number;
    readonly availableBytes: number;
  } | null;
}
