/**
 * The ports of the GPU area (STYLE.md §2): small interfaces named for their role. Adapters in
 * `adapters/` implement them with execa, node:fs and systeminformation; tests use fakes.
 */
import type { GpuSample, GpuVendorTool } from './types.js';

/** Per-call options of every port method (STYLE.md §11). */
export interface CallOptions {
  /** Aborts the call; the adapter also applies its own named timeout. */
  readonly signal: AbortSignal;
}

/**
 * Reads every GPU's facts once. Throws an AppError with a `GPU_*` code when the tool cannot be
 * run or its output cannot be used; a GPU the tool names but cannot read is a `lost` entry of the
 * sample, not an error.
 */
export interface GpuProbe {
  readonly tool: GpuVendorTool;
  sample(options: CallOptions): Promise<GpuSample>;
}

/**
 * New kernel-log lines since the previous call (the source remembers its offset / sequence and
 * starts again from the top after truncation or rotation). Bounded: at most the configured number
 * of lines per call. Throws an AppError `GPU_KMSG_READ_FAILED` when the log cannot be read.
 */
export interface KernelLogSource {
  readNewLines(options: CallOptions): Promise<string[]>;
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

/** Reads host facts; `cachePath` is the node cache directory whose disk is reported. */
export interface HostProbe {
  sample(cachePath: string, options: CallOptions): Promise<HostFacts>;
}
